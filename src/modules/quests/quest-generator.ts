import type { ItemType, Rarity } from '../items/item.enums';
import type { CharacterClass } from '../players/character-class';
import type { NpcRole } from '../world/npc-role';
import type { ObjectiveKind } from './quest.enums';

/** What a generator may propose as one objective: the target and how much of it. */
export type ObjectiveProposal =
  | { kind: ObjectiveKind.VISIT | 'VISIT'; locationId: string }
  | { kind: ObjectiveKind.COLLECT | 'COLLECT'; itemId: string; quantity: number }
  | { kind: ObjectiveKind.TALK | 'TALK'; npcId: string }
  | { kind: ObjectiveKind.DEFEAT | 'DEFEAT'; enemyKind: string; count: number };

/**
 * A quest as a generator proposes it. Nothing in it is trusted: every proposal
 * goes through validateQuestProposal before anything is saved, and the server
 * writes the objective wording, the quest type and the progress itself.
 */
export interface QuestProposal {
  title: string;
  description: string;
  objectives: ObjectiveProposal[];
  rewards: { experience: number; gold: number; items: { itemId: string; quantity: number }[] };
}

export interface CatalogueEntry {
  id: string;
  name: string;
  type: ItemType;
  rarity: Rarity;
}

/** Everything a generator needs to write a quest that fits the character and the world. */
export interface QuestContext {
  player: {
    id: string;
    characterName: string;
    characterClass: CharacterClass;
    level: number;
    locationId: string;
  };
  /** Quests this character has been offered so far, whatever became of them. */
  questCount: number;
  /** The player's wish, e.g. "something in the mines" (at most 200 characters); may be ignored. */
  hint?: string;
  /** Every location, with the number of travel steps from where the character stands. */
  locations: { id: string; name: string; region: string; distance: number }[];
  npcs: { id: string; name: string; role: NpcRole; locationId: string }[];
  /** Items a COLLECT objective may ask for at this level. */
  collectable: CatalogueEntry[];
  /** Items that may be given as rewards at this level. */
  rewardable: CatalogueEntry[];
  /** Enemy kinds a DEFEAT objective may name, and the regions where they roam. */
  enemies: readonly { kind: string; regions: readonly string[] }[];
  /** The caps the validator applies at this level. */
  limits: {
    maxExperience: number;
    maxGold: number;
    maxRewardItems: number;
    maxRewardItemQuantity: number;
    maxObjectives: number;
    maxCollect: number;
    maxDefeat: number;
  };
}

/** Writes quest proposals. The game-master issue plugs a model in behind QUEST_GENERATOR. */
export interface QuestGenerator {
  /**
   * Who answers for the proposals: a built-in proposal the rules refuse is a
   * server bug (INTERNAL_SERVER_ERROR); a model's is refused as GAME_RULE_VIOLATION.
   */
  readonly source: 'built-in' | 'model';
  propose(context: QuestContext): Promise<QuestProposal>;
}

export const QUEST_GENERATOR = Symbol('QUEST_GENERATOR');
