import type { AppConfig } from '../../config/env';
import type { Player } from '../players/player.entity';
import { TOOL_NAMES, type ToolName } from './game-tools';

/** What one turn may still change; each accepted proposal spends from it. */
export interface TurnBudget {
  toolCalls: number;
  /** Proposals examined at all: a reply of thousands of calls must not cost thousands of queries. */
  attempts: number;
  experience: number;
  gold: number;
  itemsGiven: number;
  itemsTaken: number;
  health: number;
  mana: number;
  quests: number;
  combats: number;
}

/** The per-turn caps at this character's level (GM_* settings). */
export function turnBudget(config: AppConfig['gameMaster'], player: Player): TurnBudget {
  return {
    toolCalls: config.maxToolCalls,
    attempts: config.maxToolCalls * 3,
    experience: config.experiencePerLevel * player.level,
    gold: config.goldPerLevel * player.level,
    itemsGiven: config.maxItems,
    itemsTaken: config.maxItems,
    // A turn may at most empty or fill the bar once.
    health: player.maxHealth,
    mana: player.maxMana,
    quests: 1,
    combats: 1,
  };
}

/**
 * Tools that change a character's life in the world: refused while it has no
 * health left. Only health and mana may still change (healing is how it returns).
 */
export const NEEDS_LIFE: ReadonlySet<ToolName> = new Set(
  TOOL_NAMES.filter((tool) => tool !== 'change_health' && tool !== 'change_mana'),
);

/**
 * Tools whose rules read and change nothing but the acting character's own row:
 * a turn of only these can be checked against the row as it read it, and written
 * in one statement if the row has not changed since (GameMasterService).
 */
export const CHARACTER_ROW_TOOLS: ReadonlySet<ToolName> = new Set<ToolName>([
  'grant_experience',
  'change_health',
  'change_mana',
  'change_gold',
]);

/** A proposal the rules refuse; its message is the recorded reason. */
export class Refusal extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'Refusal';
  }
}
