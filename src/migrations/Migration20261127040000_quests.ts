import { Migration } from '@mikro-orm/migrations';

/** Quests: one row per quest of a character, objectives and rewards as validated jsonb. */
export class Migration20261127040000_quests extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "quests" (
        "id" uuid not null primary key,
        "player_id" uuid not null,
        "title" varchar(80) not null,
        "description" varchar(1000) not null,
        "type" varchar(16) not null
          check ("type" in ('FETCH', 'EXPLORE', 'SOCIAL', 'HUNT', 'MIXED')),
        "status" varchar(16) not null
          check ("status" in ('OFFERED', 'ACTIVE', 'COMPLETED', 'FAILED', 'ABANDONED')),
        "objectives" jsonb not null,
        "rewards" jsonb not null,
        "created_at" timestamptz not null,
        "accepted_at" timestamptz null,
        "completed_at" timestamptz null,
        "ended_at" timestamptz null,
        -- Mirrors QUEST_LIMITS: 1 to 5 objectives.
        constraint "quests_objectives_array" check (
          jsonb_typeof("objectives") = 'array' and jsonb_array_length("objectives") >= 1
          and jsonb_array_length("objectives") <= 5
        ),
        constraint "quests_rewards_object" check (jsonb_typeof("rewards") = 'object'),
        -- Anything past OFFERED, except a declined offer, was accepted at some time.
        constraint "quests_accepted_at_check" check (
          "status" = 'OFFERED' or "status" = 'ABANDONED' or "accepted_at" is not null
        ),
        -- Completed, and only completed, quests carry the time their rewards were paid.
        constraint "quests_completed_at_check" check (("status" = 'COMPLETED') = ("completed_at" is not null)),
        constraint "quests_player_id_foreign" foreign key ("player_id") references "players" ("id") on update cascade on delete cascade
      );`);
    this.addSql(
      `create index "quests_player_id_status_index" on "quests" ("player_id", "status");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "quests" cascade;`);
  }
}
