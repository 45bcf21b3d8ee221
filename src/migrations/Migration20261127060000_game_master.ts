import { Migration } from '@mikro-orm/migrations';

/**
 * Game-master turns: the story of each character, the tool calls that changed
 * the game (a primary key, so none applies twice), and the rolling summary.
 */
export class Migration20261127060000_game_master extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "game_turns" (
        "id" uuid not null primary key,
        "player_id" uuid not null,
        "sequence" int not null,
        "input" text not null,
        "narrative" text not null,
        "effects" jsonb not null,
        "rejected" jsonb not null,
        "suggestions" jsonb not null,
        "source" varchar(16) not null check ("source" in ('model', 'offline', 'fallback')),
        "model" varchar(128) null,
        "prompt_tokens" int not null default 0,
        "completion_tokens" int not null default 0,
        "latency_ms" int not null default 0,
        "created_at" timestamptz not null,
        constraint "game_turns_sequence_check" check (sequence >= 1),
        constraint "game_turns_effects_array" check (jsonb_typeof(effects) = 'array'),
        constraint "game_turns_rejected_array" check (jsonb_typeof(rejected) = 'array'),
        constraint "game_turns_suggestions_array" check (jsonb_typeof(suggestions) = 'array'),
        constraint "game_turns_tokens_check" check (prompt_tokens >= 0 and completion_tokens >= 0 and latency_ms >= 0),
        constraint "game_turns_player_id_foreign" foreign key ("player_id") references "players" ("id") on update cascade on delete cascade
      );`);
    this.addSql(
      `alter table "game_turns" add constraint "game_turns_player_sequence_unique" unique ("player_id", "sequence");`,
    );
    this.addSql(`
      create table "applied_tool_calls" (
        "turn_id" uuid not null,
        "tool_call_id" varchar(128) not null,
        "tool" varchar(64) not null,
        "created_at" timestamptz not null,
        constraint "applied_tool_calls_pkey" primary key ("turn_id", "tool_call_id"),
        constraint "applied_tool_calls_turn_id_foreign" foreign key ("turn_id") references "game_turns" ("id") on update cascade on delete cascade
      );`);
    this.addSql(`
      create table "player_stories" (
        "player_id" uuid not null,
        "summary" text not null,
        "summarised_through" int not null,
        "updated_at" timestamptz not null,
        constraint "player_stories_pkey" primary key ("player_id"),
        constraint "player_stories_through_check" check (summarised_through >= 0),
        constraint "player_stories_player_id_foreign" foreign key ("player_id") references "players" ("id") on update cascade on delete cascade
      );`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "player_stories" cascade;`);
    this.addSql(`drop table if exists "applied_tool_calls" cascade;`);
    this.addSql(`drop table if exists "game_turns" cascade;`);
  }
}
