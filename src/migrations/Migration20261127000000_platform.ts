import { Migration } from '@mikro-orm/migrations';

/** Accounts, sessions, characters and the event log. */
export class Migration20261127000000_platform extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "users" (
        "id" uuid not null primary key,
        "username" varchar(32) not null,
        "email" varchar(254) not null,
        "password_hash" text not null,
        "role" varchar(16) not null default 'PLAYER' check ("role" in ('PLAYER', 'ADMIN')),
        "created_at" timestamptz not null
      );`);
    this.addSql(
      `create unique index "users_username_lower_unique" on "users" (lower("username"));`,
    );
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);

    this.addSql(`
      create table "sessions" (
        "id" uuid not null primary key,
        "user_id" uuid not null,
        "created_at" timestamptz not null,
        "expires_at" timestamptz not null,
        "revoked_at" timestamptz null,
        "revoked_reason" varchar(32) null,
        constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade
      );`);
    this.addSql(`create index "sessions_user_id_index" on "sessions" ("user_id");`);

    this.addSql(`
      create table "refresh_tokens" (
        "id" uuid not null primary key,
        "session_id" uuid not null,
        "token_hash" varchar(64) not null,
        "created_at" timestamptz not null,
        "used_at" timestamptz null,
        constraint "refresh_tokens_session_id_foreign" foreign key ("session_id") references "sessions" ("id") on update cascade on delete cascade
      );`);
    this.addSql(
      `create index "refresh_tokens_session_id_index" on "refresh_tokens" ("session_id");`,
    );
    this.addSql(
      `alter table "refresh_tokens" add constraint "refresh_tokens_token_hash_unique" unique ("token_hash");`,
    );

    this.addSql(`
      create table "players" (
        "id" uuid not null primary key,
        "user_id" uuid not null,
        "character_name" varchar(24) not null,
        "character_class" varchar(16) not null
          check ("character_class" in ('WARRIOR', 'MAGE', 'ROGUE', 'CLERIC', 'RANGER')),
        "level" int not null default 1 check ("level" >= 1),
        "experience" int not null default 0 check ("experience" >= 0),
        "health" int not null,
        "max_health" int not null check ("max_health" > 0),
        "mana" int not null,
        "max_mana" int not null check ("max_mana" >= 0),
        "gold" int not null default 0 check ("gold" >= 0),
        "stat_strength" int not null check ("stat_strength" >= 0),
        "stat_dexterity" int not null check ("stat_dexterity" >= 0),
        "stat_intelligence" int not null check ("stat_intelligence" >= 0),
        "stat_constitution" int not null check ("stat_constitution" >= 0),
        "stat_wisdom" int not null check ("stat_wisdom" >= 0),
        "stat_charisma" int not null check ("stat_charisma" >= 0),
        "location_id" varchar(64) not null,
        "created_at" timestamptz not null,
        "deleted_at" timestamptz null,
        constraint "players_health_range" check ("health" between 0 and "max_health"),
        constraint "players_mana_range" check ("mana" between 0 and "max_mana"),
        constraint "players_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade
      );`);
    this.addSql(`create index "players_user_id_index" on "players" ("user_id");`);
    this.addSql(
      `create index "players_location_id_index" on "players" ("location_id") where "deleted_at" is null;`,
    );
    // Names are unique among living characters, whatever their case.
    this.addSql(
      `create unique index "players_character_name_live_unique" on "players" (lower("character_name")) where "deleted_at" is null;`,
    );

    this.addSql(`
      create table "game_events" (
        "id" bigserial primary key,
        "player_id" uuid not null,
        "type" varchar(48) not null,
        "name" text not null,
        "data" jsonb not null,
        "created_at" timestamptz not null,
        constraint "game_events_player_id_foreign" foreign key ("player_id") references "players" ("id") on update cascade on delete cascade
      );`);
    this.addSql(
      `create index "game_events_player_id_id_index" on "game_events" ("player_id", "id");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "game_events" cascade;`);
    this.addSql(`drop table if exists "players" cascade;`);
    this.addSql(`drop table if exists "refresh_tokens" cascade;`);
    this.addSql(`drop table if exists "sessions" cascade;`);
    this.addSql(`drop table if exists "users" cascade;`);
  }
}
