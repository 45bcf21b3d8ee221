import { Migration } from '@mikro-orm/migrations';
import { LOCATIONS, NPCS, PATHS } from '../modules/world/world.seed';

/** The map (locations, two-way exits, NPCs), seeded as reference data; characters must stand on it. */
export class Migration20261127010000_world extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "locations" (
        "id" varchar(64) not null primary key,
        "name" varchar(64) not null,
        "description" text not null,
        "region" varchar(64) not null,
        constraint "locations_id_slug" check ("id" ~ '^[a-z0-9]+(-[a-z0-9]+)*$')
      );`);

    this.addSql(`
      create table "location_exits" (
        "from_location_id" varchar(64) not null,
        "to_location_id" varchar(64) not null,
        constraint "location_exits_pkey" primary key ("from_location_id", "to_location_id"),
        constraint "location_exits_not_a_loop" check ("from_location_id" <> "to_location_id"),
        constraint "location_exits_from_location_id_foreign" foreign key ("from_location_id") references "locations" ("id") on update cascade on delete cascade,
        constraint "location_exits_to_location_id_foreign" foreign key ("to_location_id") references "locations" ("id") on update cascade on delete cascade
      );`);
    this.addSql(
      `create index "location_exits_to_location_id_index" on "location_exits" ("to_location_id");`,
    );

    this.addSql(`
      create table "npcs" (
        "id" varchar(64) not null primary key,
        "name" varchar(64) not null,
        "description" text not null,
        "role" varchar(16) not null
          check ("role" in ('MERCHANT', 'QUEST_GIVER', 'INNKEEPER', 'BLACKSMITH', 'GUARD', 'HEALER', 'HUNTER', 'SAGE')),
        "location_id" varchar(64) not null,
        constraint "npcs_location_id_foreign" foreign key ("location_id") references "locations" ("id") on update cascade
      );`);
    this.addSql(`create index "npcs_location_id_index" on "npcs" ("location_id");`);

    const knex = this.getKnex();
    this.addSql(
      knex
        .insert(
          LOCATIONS.map(({ id, name, description, region }) => ({ id, name, description, region })),
        )
        .into('locations'),
    );
    this.addSql(
      knex
        .insert(
          PATHS.flatMap(([a, b]) => [
            { from_location_id: a, to_location_id: b },
            { from_location_id: b, to_location_id: a },
          ]),
        )
        .into('location_exits'),
    );
    this.addSql(
      knex
        .insert(
          NPCS.map(({ id, name, description, role, locationId }) => ({
            id,
            name,
            description,
            role,
            location_id: locationId,
          })),
        )
        .into('npcs'),
    );

    // Every existing character stands in the starting square, which now exists.
    this.addSql(
      `alter table "players" add constraint "players_location_id_foreign" foreign key ("location_id") references "locations" ("id") on update cascade;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "players" drop constraint if exists "players_location_id_foreign";`);
    this.addSql(`drop table if exists "npcs" cascade;`);
    this.addSql(`drop table if exists "location_exits" cascade;`);
    this.addSql(`drop table if exists "locations" cascade;`);
  }
}
