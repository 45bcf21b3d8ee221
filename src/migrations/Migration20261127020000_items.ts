import { Migration } from '@mikro-orm/migrations';
import { ITEM_SEED, seedItemId } from '../modules/items/items.seed';

/** The item catalogue, and its seed (src/modules/items/items.seed.ts). */
export class Migration20261127020000_items extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "items" (
        "id" uuid not null primary key,
        "name" varchar(64) not null,
        "description" text not null,
        "type" varchar(16) not null
          check ("type" in ('WEAPON', 'ARMOR', 'CONSUMABLE', 'MATERIAL', 'QUEST', 'MISC')),
        "rarity" varchar(16) not null
          check ("rarity" in ('COMMON', 'UNCOMMON', 'RARE', 'EPIC', 'LEGENDARY')),
        "value" int not null check ("value" >= 0),
        "weight" numeric(7,2) not null check ("weight" >= 0),
        "slot" varchar(16) null
          check ("slot" in ('MAIN_HAND', 'OFF_HAND', 'HEAD', 'CHEST', 'HANDS', 'LEGS', 'FEET', 'BACK', 'RING', 'AMULET')),
        "stats" jsonb not null,
        "effects" jsonb not null,
        "created_at" timestamptz not null,
        -- Mirrors SLOTS_BY_TYPE in item-rules.ts.
        constraint "items_slot_fits_type" check (
          "type" = 'WEAPON' and ("slot" = 'MAIN_HAND' or "slot" = 'OFF_HAND')
          or "type" = 'ARMOR' and ("slot" = 'OFF_HAND' or "slot" = 'HEAD' or "slot" = 'CHEST'
            or "slot" = 'HANDS' or "slot" = 'LEGS' or "slot" = 'FEET' or "slot" = 'BACK')
          or "type" = 'MISC' and ("slot" is null or "slot" = 'RING' or "slot" = 'AMULET')
          or ("type" = 'CONSUMABLE' or "type" = 'MATERIAL' or "type" = 'QUEST') and "slot" is null
        ),
        constraint "items_stats_object" check (jsonb_typeof("stats") = 'object'),
        -- Bonuses count while worn: only what has a slot carries them.
        constraint "items_stats_need_slot" check ("slot" is not null or "stats" = '{}'),
        constraint "items_effects_array" check (jsonb_typeof("effects") = 'array'),
        -- Effects happen on use, and only consumables are used (and must do something).
        constraint "items_effects_only_consumables" check (
          "type" = 'CONSUMABLE' and "effects" <> '[]' or "type" <> 'CONSUMABLE' and "effects" = '[]'
        )
      );`);
    // Names are unique whatever their case; byte order ("C") makes the catalogue order engine-independent.
    this.addSql(
      `create unique index "items_name_lower_unique" on "items" ((lower("name") collate "C"));`,
    );

    const rows = ITEM_SEED.map((item) => ({
      id: seedItemId(item.name),
      name: item.name,
      description: item.description,
      type: item.type,
      rarity: item.rarity,
      value: item.value,
      weight: item.weight,
      slot: item.slot ?? null,
      stats: JSON.stringify(item.stats ?? {}),
      effects: JSON.stringify(item.effects ?? []),
      created_at: this.getKnex().fn.now(),
    }));
    this.addSql(this.getKnex().insert(rows).into('items'));
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "items" cascade;`);
  }
}
