import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { entityColumns, executePrepared } from '../../infra/database/prepared';
import { Player } from '../players/player.entity';
import { experienceToNextLevel } from '../players/progression';
import type { QuestObjective } from '../quests/quest.entity';
import { QuestStatus } from '../quests/quest.enums';
import { Location } from '../world/location.entity';
import { LocationExit } from '../world/location-exit.entity';
import { Npc } from '../world/npc.entity';

/** The inventory quoted to the model: gear and stacks, enough to play, bounded for the prompt. */
const MAX_INVENTORY_LINES = 30;
const MAX_OTHERS_HERE = 10;

/**
 * What the game master knows of a character at the start of a turn (or of a
 * conversation): plain data from the database, every name as a string to be
 * quoted, never interpreted.
 */
export interface GameContext {
  character: {
    id: string;
    name: string;
    characterClass: string;
    level: number;
    experience: number;
    experienceToNextLevel: number;
    health: number;
    maxHealth: number;
    mana: number;
    maxMana: number;
    gold: number;
  };
  location: { id: string; name: string; region: string; description: string };
  exits: { id: string; name: string }[];
  npcs: { id: string; name: string; role: string; description: string }[];
  othersHere: { name: string; level: number }[];
  inventory: {
    itemId: string;
    name: string;
    type: string;
    rarity: string;
    quantity: number;
    equippedSlot: string | null;
  }[];
  activeQuests: {
    id: string;
    title: string;
    objectives: {
      index: number;
      kind: string;
      description: string;
      current: number;
      required: number;
      done: boolean;
      npcId?: string;
      locationId?: string;
      itemId?: string;
      enemyKind?: string;
    }[];
  }[];
}

type Place = Pick<GameContext, 'location' | 'exits' | 'npcs'>;

/** A turn's reads before the model call (GameContextService.loadTurn). */
export interface LoadedTurn {
  player: Player;
  /**
   * The character's row as read, and its version (`xmin`): for a write that checks
   * the row is still the one the turn's rules saw (GameTurnRepository.insertApplied).
   */
  read: { row: Record<string, unknown>; version: string };
  context: GameContext;
  story: { summary: string; summarisedThrough: number } | null;
  /** The newest turns, newest first. */
  latest: { sequence: number; input: string; narrative: string }[];
  /** Prompt plus completion tokens the user spent today. */
  tokensToday: number;
}

interface ContextRow {
  gm_others: unknown;
  gm_inventory: unknown;
  gm_quests: unknown;
}

const EMPTY_CONTEXT_ROW: ContextRow = { gm_others: [], gm_inventory: [], gm_quests: [] };

/**
 * The context's rows as JSON columns of a query over `players p`; parameters: the
 * limits of others here and of inventory lines. Worn gear first, then what is
 * worth most: the lines a story can use.
 */
const CONTEXT_COLUMNS = `
  (select coalesce(json_agg(o), '[]') from (
     select character_name as name, level from players
     where location_id = p.location_id and deleted_at is null and id <> p.id
     order by character_name, id limit ?) o) as gm_others,
  (select coalesce(json_agg(e), '[]') from (
     select i.id as "itemId", i.name, i.type, i.rarity, ie.quantity,
       ie.equipped_slot as "equippedSlot"
     from inventory_entries ie join items i on i.id = ie.item_id
     where ie.player_id = p.id
     order by (ie.equipped_slot is not null) desc, i.value desc, ie.created_at, ie.id
     limit ?) e) as gm_inventory,
  (select coalesce(json_agg(q order by q.created_at, q.id), '[]') from (
     select id, title, objectives, created_at from quests
     where player_id = p.id and status = '${QuestStatus.ACTIVE}') q) as gm_quests`;

/** A json column as the driver gave it (parsed already, or text). */
function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

@Injectable()
export class GameContextService {
  /**
   * The map and its NPCs are reference data, shipped by the migrations and never
   * changed through the API: read once per place and process.
   */
  private readonly places = new Map<string, Promise<Place>>();

  /** The character's columns, listed (entityColumns). */
  private playerColumns?: string;

  /**
   * What the character's surroundings, inventory and quests look like; `player`
   * is the character as just read. One statement: every round trip to the
   * database costs more than the rows it carries.
   */
  async build(em: EntityManager, player: Player): Promise<GameContext> {
    const [[row], place] = await Promise.all([
      em.execute<ContextRow[]>(`select ${CONTEXT_COLUMNS} from players p where p.id = ?`, [
        MAX_OTHERS_HERE,
        MAX_INVENTORY_LINES,
        player.id,
      ]),
      this.place(em, player.locationId),
    ]);
    return this.assemble(player, place, row ?? EMPTY_CONTEXT_ROW);
  }

  /**
   * Everything a turn reads before it asks the model, in one statement: the
   * user's live character (null when there is none), its context, its stored
   * story and newest turns (StoryMemoryService.recallFrom), and the tokens the
   * user spent on `day` (the LLM budget check).
   */
  async loadTurn(
    em: EntityManager,
    userId: string,
    playerId: string,
    turns: number,
    day: string,
  ): Promise<LoadedTurn | null> {
    // Plain rows: nothing enters the caller's unit of work but the character.
    const [row] = await executePrepared<ContextRow & Record<string, unknown>>(
      em,
      `select ${(this.playerColumns ??= entityColumns(em, Player, 'p'))},
         p.xmin::text as gm_version, ${CONTEXT_COLUMNS},
         (select json_build_object('summary', s.summary, 'through', s.summarised_through)
            from player_stories s where s.player_id = p.id) as gm_story,
         (select coalesce(json_agg(t order by t.sequence desc), '[]') from (
            select sequence, input, narrative from game_turns
            where player_id = p.id and sequence > greatest(
              coalesce((select s.summarised_through
                from player_stories s where s.player_id = p.id), 0),
              -- Turns are numbered 1, 2, 3… per character: the newest are the highest
              -- numbers, bounded from the index alone. Otherwise a planner that knows
              -- little of the table (a new one) sorts the whole story to keep 40 turns.
              (select coalesce(max(sequence), 0) from game_turns where player_id = p.id) - ?)
            order by sequence desc limit ?) t) as gm_turns,
         (select u.prompt_tokens + u.completion_tokens from llm_usage u
            where u.user_id = p.user_id and u.day = ?) as gm_tokens
       from players p where p.id = ? and p.user_id = ? and p.deleted_at is null`,
      [MAX_OTHERS_HERE, MAX_INVENTORY_LINES, turns, turns, day, playerId, userId],
    );
    if (!row) return null;
    const {
      gm_others,
      gm_inventory,
      gm_quests,
      gm_story,
      gm_turns,
      gm_tokens,
      gm_version,
      ...columns
    } = row;
    // The same entity a findOne would give, without building a query for it.
    const player = em.map(Player, columns);
    const place = await this.place(em, player.locationId);
    const story = json<{ summary: string; through: number } | null>(gm_story);
    return {
      player,
      read: { row: columns, version: String(gm_version) },
      context: this.assemble(player, place, { gm_others, gm_inventory, gm_quests }),
      story: story ? { summary: story.summary, summarisedThrough: Number(story.through) } : null,
      latest: json<{ sequence: number; input: string; narrative: string }[]>(gm_turns).map((t) => ({
        sequence: Number(t.sequence),
        input: t.input,
        narrative: t.narrative,
      })),
      tokensToday: Number(gm_tokens ?? 0),
    };
  }

  private assemble(player: Player, place: Place, row: ContextRow): GameContext {
    const { location, exits, npcs } = place;
    const quests = json<{ id: string; title: string; objectives: QuestObjective[] }[]>(
      row.gm_quests,
    );
    return {
      character: {
        id: player.id,
        name: player.characterName,
        characterClass: player.characterClass,
        level: player.level,
        experience: player.experience,
        experienceToNextLevel: experienceToNextLevel(player.level, player.experience),
        health: player.health,
        maxHealth: player.maxHealth,
        mana: player.mana,
        maxMana: player.maxMana,
        gold: player.gold,
      },
      location,
      exits,
      npcs,
      othersHere: json<{ name: string; level: number }[]>(row.gm_others).map((p) => ({
        name: p.name,
        level: Number(p.level),
      })),
      inventory: json<GameContext['inventory']>(row.gm_inventory).map((e) => ({
        itemId: e.itemId,
        name: e.name,
        type: e.type,
        rarity: e.rarity,
        quantity: Number(e.quantity),
        equippedSlot: e.equippedSlot ?? null,
      })),
      activeQuests: quests.map((q) => ({
        id: q.id,
        title: q.title,
        objectives: q.objectives.map((o, index) => ({
          index,
          kind: o.kind,
          description: o.description,
          current: o.current,
          required: o.required,
          done: o.current >= o.required,
          ...('npcId' in o ? { npcId: o.npcId } : {}),
          ...('locationId' in o ? { locationId: o.locationId } : {}),
          ...('itemId' in o ? { itemId: o.itemId } : {}),
          ...('enemyKind' in o ? { enemyKind: o.enemyKind } : {}),
        })),
      })),
    };
  }

  private place(em: EntityManager, locationId: string): Promise<Place> {
    let place = this.places.get(locationId);
    if (!place) {
      place = this.readPlace(em.fork(), locationId);
      this.places.set(locationId, place);
      // A failed read is not remembered.
      place.catch(() => this.places.delete(locationId));
    }
    return place;
  }

  private async readPlace(em: EntityManager, locationId: string): Promise<Place> {
    const [location, exits, npcs] = await Promise.all([
      em.findOneOrFail(Location, locationId),
      em.getRepository(LocationExit).from([locationId]),
      em.find(Npc, { location: locationId }, { orderBy: { name: 'asc', id: 'asc' } }),
    ]);
    return {
      location: {
        id: location.id,
        name: location.name,
        region: location.region,
        description: location.description,
      },
      exits: exits.map((e) => ({ id: e.toLocation.id, name: e.toLocation.name })),
      npcs: npcs.map((n) => ({ id: n.id, name: n.name, role: n.role, description: n.description })),
    };
  }
}
