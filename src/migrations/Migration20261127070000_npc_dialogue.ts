import { Migration } from '@mikro-orm/migrations';

/** NPC dialogue: the exchanges a character had with each NPC, the memory of the next conversation. */
export class Migration20261127070000_npc_dialogue extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "npc_exchanges" (
        "id" uuid not null primary key,
        "player_id" uuid not null,
        "npc_id" varchar(64) not null,
        "message" varchar(500) not null,
        "reply" varchar(2000) not null,
        "source" varchar(16) not null check ("source" in ('MODEL', 'OFFLINE', 'FALLBACK')),
        "model" varchar(128) null,
        "created_at" timestamptz not null,
        constraint "npc_exchanges_player_id_foreign" foreign key ("player_id") references "players" ("id") on update cascade on delete cascade,
        constraint "npc_exchanges_npc_id_foreign" foreign key ("npc_id") references "npcs" ("id") on update cascade on delete cascade
      );`);
    this.addSql(
      `create index "npc_exchanges_player_id_npc_id_created_at_index" on "npc_exchanges" ("player_id", "npc_id", "created_at");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "npc_exchanges" cascade;`);
  }
}
