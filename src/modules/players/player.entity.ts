import { randomUUID } from 'node:crypto';
import {
  Check,
  Embeddable,
  Embedded,
  Entity,
  EntityRepositoryType,
  Enum,
  Index,
  ManyToOne,
  PrimaryKey,
  Property,
} from '@mikro-orm/core';
import { User } from '../auth/user.entity';
import { Location } from '../world/location.entity';
import { CharacterClass } from './character-class';
import { PlayerRepository } from './player.repository';

@Embeddable()
export class PlayerStats {
  @Property({ type: 'integer' }) strength!: number;
  @Property({ type: 'integer' }) dexterity!: number;
  @Property({ type: 'integer' }) intelligence!: number;
  @Property({ type: 'integer' }) constitution!: number;
  @Property({ type: 'integer' }) wisdom!: number;
  @Property({ type: 'integer' }) charisma!: number;
}

/**
 * A character. The database backs the game rules with CHECK constraints
 * (see the migration): gold never negative, health and mana within their maximum.
 */
@Entity({ tableName: 'players', repository: () => PlayerRepository })
@Index({
  name: 'players_character_name_live_unique',
  expression:
    'create unique index "players_character_name_live_unique" on "players" (lower("character_name")) where "deleted_at" is null',
})
@Check({ name: 'players_level_check', expression: 'level >= 1' })
@Check({ name: 'players_experience_check', expression: 'experience >= 0' })
@Check({ name: 'players_gold_check', expression: 'gold >= 0' })
@Check({ name: 'players_max_health_check', expression: 'max_health > 0' })
@Check({ name: 'players_max_mana_check', expression: 'max_mana >= 0' })
@Check({ name: 'players_health_range', expression: 'health >= 0 AND health <= max_health' })
@Check({ name: 'players_mana_range', expression: 'mana >= 0 AND mana <= max_mana' })
@Check({ name: 'players_stat_strength_check', expression: 'stat_strength >= 0' })
@Check({ name: 'players_stat_dexterity_check', expression: 'stat_dexterity >= 0' })
@Check({ name: 'players_stat_intelligence_check', expression: 'stat_intelligence >= 0' })
@Check({ name: 'players_stat_constitution_check', expression: 'stat_constitution >= 0' })
@Check({ name: 'players_stat_wisdom_check', expression: 'stat_wisdom >= 0' })
@Check({ name: 'players_stat_charisma_check', expression: 'stat_charisma >= 0' })
@Index({
  name: 'players_location_id_index',
  expression:
    'create index "players_location_id_index" on "players" ("location_id") where "deleted_at" is null',
})
export class Player {
  [EntityRepositoryType]?: PlayerRepository;

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => User, { deleteRule: 'cascade', index: true })
  user!: User;

  @Property({ type: 'string', length: 24 })
  characterName!: string;

  @Enum({ items: () => CharacterClass, columnType: 'varchar(16)' })
  characterClass!: CharacterClass;

  @Property({ type: 'integer' })
  level: number = 1;

  @Property({ type: 'integer' })
  experience: number = 0;

  @Property({ type: 'integer' })
  health!: number;

  @Property({ type: 'integer' })
  maxHealth!: number;

  @Property({ type: 'integer' })
  mana!: number;

  @Property({ type: 'integer' })
  maxMana!: number;

  @Property({ type: 'integer' })
  gold: number = 0;

  @Embedded(() => PlayerStats, { prefix: 'stat_' })
  stats!: PlayerStats;

  /**
   * Where the character stands (the world module owns the map). A relation for the
   * foreign key, mapped to the bare id so callers read and write a plain string.
   */
  @ManyToOne(() => Location, { mapToPk: true, fieldName: 'location_id' })
  locationId!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  /** Deleted characters are kept (their event log stays intact) but are gone for every query. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  deletedAt?: Date | null;
}
