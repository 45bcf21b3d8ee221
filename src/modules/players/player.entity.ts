import { randomUUID } from 'node:crypto';
import {
  Embeddable,
  Embedded,
  Entity,
  EntityRepositoryType,
  Enum,
  ManyToOne,
  PrimaryKey,
  Property,
} from '@mikro-orm/core';
import { User } from '../auth/user.entity';
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
export class Player {
  [EntityRepositoryType]?: PlayerRepository;

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => User, { deleteRule: 'cascade', index: true })
  user!: User;

  @Property({ type: 'string', length: 24 })
  characterName!: string;

  @Enum({ items: () => CharacterClass, type: 'string', length: 16 })
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

  /** Where the character stands; the world module owns the map. */
  @Property({ type: 'string', length: 64 })
  locationId!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  /** Deleted characters are kept (their event log stays intact) but are gone for every query. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  deletedAt?: Date | null;
}
