import { RefreshToken, Session } from '../../modules/auth/session.entity';
import { User } from '../../modules/auth/user.entity';
import { GameEvent } from '../../modules/events/game-event.entity';
import { AppliedToolCall, GameTurn, PlayerStory } from '../../modules/game-master/game-turn.entity';
import { NpcExchange } from '../../modules/game-master/npc-exchange.entity';
import { InventoryEntry } from '../../modules/inventory/inventory-entry.entity';
import { Item } from '../../modules/items/item.entity';
import { Player, PlayerStats } from '../../modules/players/player.entity';
import { Quest } from '../../modules/quests/quest.entity';
import { Location } from '../../modules/world/location.entity';
import { LocationExit } from '../../modules/world/location-exit.entity';
import { Npc } from '../../modules/world/npc.entity';
import { LlmUsageDay } from '../llm/llm-usage.entity';

/** Every entity, for discovery: the schema in one list (modules register their own repositories). */
export const ENTITIES = [
  User,
  Session,
  RefreshToken,
  Player,
  PlayerStats,
  GameEvent,
  Location,
  LocationExit,
  Npc,
  Item,
  InventoryEntry,
  Quest,
  GameTurn,
  AppliedToolCall,
  PlayerStory,
  NpcExchange,
  LlmUsageDay,
];
