import { timestamptz } from '../../infra/database/sql-values';
import type { BaseStats, CharacterClass } from './character-class';

/**
 * What the GraphQL fields of a character read. A Player entity (what mutations return) and a
 * plain row of the read path (playerViewOf) both satisfy it.
 */
export interface PlayerView {
  id: string;
  characterName: string;
  characterClass: CharacterClass;
  level: number;
  experience: number;
  health: number;
  maxHealth: number;
  mana: number;
  maxMana: number;
  gold: number;
  stats: BaseStats;
  locationId: string;
  createdAt: Date;
}

/** The select list playerViewOf reads (from `players p`). */
export const PLAYER_VIEW_COLUMNS = `p.id, p.character_name, p.character_class, p.level, p.experience,
  p.health, p.max_health, p.mana, p.max_mana, p.gold, p.stat_strength, p.stat_dexterity,
  p.stat_intelligence, p.stat_constitution, p.stat_wisdom, p.stat_charisma, p.location_id,
  p.created_at`;

export interface PlayerViewRow {
  id: string;
  character_name: string;
  character_class: CharacterClass;
  level: number;
  experience: number;
  health: number;
  max_health: number;
  mana: number;
  max_mana: number;
  gold: number;
  stat_strength: number;
  stat_dexterity: number;
  stat_intelligence: number;
  stat_constitution: number;
  stat_wisdom: number;
  stat_charisma: number;
  location_id: string;
  created_at: string | Date;
}

export function playerViewOf(row: PlayerViewRow): PlayerView {
  return {
    id: row.id,
    characterName: row.character_name,
    characterClass: row.character_class,
    level: row.level,
    experience: row.experience,
    health: row.health,
    maxHealth: row.max_health,
    mana: row.mana,
    maxMana: row.max_mana,
    gold: row.gold,
    stats: {
      strength: row.stat_strength,
      dexterity: row.stat_dexterity,
      intelligence: row.stat_intelligence,
      constitution: row.stat_constitution,
      wisdom: row.stat_wisdom,
      charisma: row.stat_charisma,
    },
    locationId: row.location_id,
    createdAt: timestamptz(row.created_at),
  };
}
