import { randomUUID } from 'node:crypto';
import {
  Check,
  Entity,
  EntityRepositoryType,
  Enum,
  ManyToOne,
  PrimaryKey,
  Property,
  Unique,
} from '@mikro-orm/core';
import { Player } from '../players/player.entity';
import { GameTurnRepository } from './game-turn.repository';

/** Who wrote a turn: the model, the offline game master (no model configured), or the offline one standing in. */
export enum TurnSource {
  MODEL = 'model',
  OFFLINE = 'offline',
  FALLBACK = 'fallback',
}

/** A proposal the server applied, and what it did. */
export interface AppliedEffect {
  toolCallId: string;
  tool: string;
  args: Record<string, unknown>;
  result: Record<string, unknown>;
}

/** A proposal the server refused, and why. `args` is the raw text, shortened. */
export interface RejectedProposal {
  toolCallId: string;
  tool: string;
  args: string;
  reason: string;
}

/**
 * One game-master turn: what the player said, what was narrated, what the rules
 * applied and refused. `sequence` orders a character's story (and makes the cursor);
 * it is the next one when the turn is written, and the unique (player, sequence)
 * constraint refuses a concurrent turn that took the same (it then retries under the
 * character's row lock).
 */
@Entity({ tableName: 'game_turns', repository: () => GameTurnRepository })
@Unique({ name: 'game_turns_player_sequence_unique', properties: ['player', 'sequence'] })
@Check({ name: 'game_turns_sequence_check', expression: 'sequence >= 1' })
@Check({ name: 'game_turns_effects_array', expression: "jsonb_typeof(effects) = 'array'" })
@Check({ name: 'game_turns_rejected_array', expression: "jsonb_typeof(rejected) = 'array'" })
@Check({ name: 'game_turns_suggestions_array', expression: "jsonb_typeof(suggestions) = 'array'" })
@Check({
  name: 'game_turns_tokens_check',
  expression: 'prompt_tokens >= 0 and completion_tokens >= 0 and latency_ms >= 0',
})
export class GameTurn {
  [EntityRepositoryType]?: GameTurnRepository;

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Player, { deleteRule: 'cascade' })
  player!: Player;

  @Property({ type: 'integer' })
  sequence!: number;

  @Property({ type: 'text' })
  input!: string;

  @Property({ type: 'text' })
  narrative!: string;

  @Property({ type: 'json', columnType: 'jsonb' })
  effects: AppliedEffect[] = [];

  @Property({ type: 'json', columnType: 'jsonb' })
  rejected: RejectedProposal[] = [];

  @Property({ type: 'json', columnType: 'jsonb' })
  suggestions: string[] = [];

  @Enum({ items: () => TurnSource, columnType: 'varchar(16)' })
  source!: TurnSource;

  @Property({ type: 'string', length: 128, nullable: true })
  model?: string | null;

  @Property({ type: 'integer' })
  promptTokens: number = 0;

  @Property({ type: 'integer' })
  completionTokens: number = 0;

  @Property({ type: 'integer' })
  latencyMs: number = 0;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();
}

/**
 * A tool call that changed the game. The primary key makes "exactly once" a
 * database fact: the row is written in the transaction of the change, so a call
 * applied twice fails the whole transaction instead of paying twice.
 */
@Entity({ tableName: 'applied_tool_calls' })
export class AppliedToolCall {
  @ManyToOne(() => GameTurn, { primary: true, deleteRule: 'cascade' })
  turn!: GameTurn;

  @PrimaryKey({ type: 'string', length: 128 })
  toolCallId!: string;

  @Property({ type: 'string', length: 64 })
  tool!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();
}

/** A character's long-session memory: the story before the turns quoted in the prompt. */
@Entity({ tableName: 'player_stories' })
@Check({ name: 'player_stories_through_check', expression: 'summarised_through >= 0' })
export class PlayerStory {
  @ManyToOne(() => Player, { primary: true, deleteRule: 'cascade' })
  player!: Player;

  @Property({ type: 'text' })
  summary!: string;

  /** The last turn sequence folded into the summary. */
  @Property({ type: 'integer' })
  summarisedThrough!: number;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt: Date = new Date();
}
