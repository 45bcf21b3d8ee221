import { Migration } from '@mikro-orm/migrations';

/** Inventories: one stack per character and item, one equipped item per slot. */
export class Migration20261127030000_inventory extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "inventory_entries" (
        "id" uuid not null primary key,
        "player_id" uuid not null,
        "item_id" uuid not null,
        "quantity" int not null,
        "equipped_slot" varchar(16) null
          check ("equipped_slot" in ('MAIN_HAND', 'OFF_HAND', 'HEAD', 'CHEST', 'HANDS', 'LEGS', 'FEET', 'BACK', 'RING', 'AMULET')),
        "created_at" timestamptz not null,
        -- Mirrors MAX_STACK: a stack is never empty, negative, or past the bound.
        constraint "inventory_entries_quantity_range" check ("quantity" > 0 and "quantity" <= 9999),
        constraint "inventory_entries_player_id_foreign" foreign key ("player_id") references "players" ("id") on update cascade on delete cascade,
        constraint "inventory_entries_item_id_foreign" foreign key ("item_id") references "items" ("id") on update cascade
      );`);
    this.addSql(
      `alter table "inventory_entries" add constraint "inventory_entries_player_id_item_id_unique" unique ("player_id", "item_id");`,
    );
    this.addSql(
      `create index "inventory_entries_item_id_index" on "inventory_entries" ("item_id");`,
    );
    // One item per slot and character.
    this.addSql(
      `create unique index "inventory_entries_player_slot_unique" on "inventory_entries" ("player_id", "equipped_slot") where "equipped_slot" is not null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "inventory_entries" cascade;`);
  }
}
