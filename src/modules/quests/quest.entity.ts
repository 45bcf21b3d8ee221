import { randomUUID } from 'node:crypto';
import {
  Check,
  Entity,
  EntityRepositoryType,
  Enum,
  Index,
  ManyToOne,
  PrimaryKey,
  Property,
} from '@mikro-orm/core';
import { Player } from '../players/player.entity';
import { ObjectiveKind, QuestStatus, QuestType } from './quest.enums';
import { QuestRepository } from './quest.repository';

/** What an objective points at; exactly one target per kind. */
export type ObjectiveTarget =
  | { kind: ObjectiveKind.VISIT; locationId: string }
  | { kind: ObjectiveKind.COLLECT; itemId: string }
  | { kind: ObjectiveKind.TALK; npcId: string }
  | { kind: ObjectiveKind.DEFEAT; enemyKind: string };

/** One objective as stored: its target, the server's wording of it, and the progress so far. */
export type QuestObjective = ObjectiveTarget & {
  description: string;
  current: number;
  required: number;
};

export interface QuestRewardItem {
  itemId: string;
  quantity: number;
}

export interface QuestRewards {
  experience: number;
  gold: number;
  items: QuestRewardItem[];
}

export const isDone = (objective: QuestObjective) => objective.current >= objective.required;

/**
 * A quest of one character. Objectives and rewards are validated documents
 * (quest.validator.ts) kept as jsonb; the database backs the life cycle with
 * CHECK constraints. Changes run under the character's row lock, then the quest's.
 */
@Entity({ tableName: 'quests', repository: () => QuestRepository })
@Index({ properties: ['player', 'status'] })
// 1 to 5 objectives (QUEST_LIMITS); the validator says so first, the database makes sure.
@Check({
  name: 'quests_objectives_array',
  expression:
    "jsonb_typeof(objectives) = 'array' and jsonb_array_length(objectives) >= 1 and jsonb_array_length(objectives) <= 5",
})
@Check({ name: 'quests_rewards_object', expression: "jsonb_typeof(rewards) = 'object'" })
@Check({
  name: 'quests_accepted_at_check',
  expression: "status = 'OFFERED' or status = 'ABANDONED' or accepted_at is not null",
})
@Check({
  name: 'quests_completed_at_check',
  expression: "(status = 'COMPLETED') = (completed_at is not null)",
})
export class Quest {
  [EntityRepositoryType]?: QuestRepository;

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Player, { deleteRule: 'cascade' })
  player!: Player;

  @Property({ type: 'string', length: 80 })
  title!: string;

  @Property({ type: 'string', length: 1000 })
  description!: string;

  @Enum({ items: () => QuestType, columnType: 'varchar(16)' })
  type!: QuestType;

  @Enum({ items: () => QuestStatus, columnType: 'varchar(16)' })
  status!: QuestStatus;

  @Property({ type: 'json', columnType: 'jsonb' })
  objectives!: QuestObjective[];

  @Property({ type: 'json', columnType: 'jsonb' })
  rewards!: QuestRewards;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  acceptedAt?: Date | null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  completedAt?: Date | null;

  /** When it was abandoned (or failed); null while offered, active or completed. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  endedAt?: Date | null;
}
