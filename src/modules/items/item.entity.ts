import { randomUUID } from 'node:crypto';
import {
  Check,
  DecimalType,
  Entity,
  EntityRepositoryType,
  Enum,
  Index,
  PrimaryKey,
  Property,
} from '@mikro-orm/core';
import type { ItemEffect, ItemStats } from './item-rules';
import { EquipmentSlot, ItemType, Rarity } from './item.enums';
import { ItemRepository } from './item.repository';

/**
 * A catalogue entry: reference data that inventories point at. The database
 * repeats the structural rules of item-rules.ts as CHECK constraints. They use
 * `=`/`or` rather than `in (…)`: PostgreSQL prints that back in a form MikroORM
 * compares equal, so the schema diff stays empty.
 */
@Entity({ tableName: 'items', repository: () => ItemRepository })
// Byte order ("C") keeps the catalogue order the same on every engine and locale.
@Index({
  name: 'items_name_lower_unique',
  expression:
    'create unique index "items_name_lower_unique" on "items" ((lower("name") collate "C"))',
})
@Check({ name: 'items_value_check', expression: 'value >= 0' })
@Check({ name: 'items_weight_check', expression: 'weight >= 0' })
@Check({
  name: 'items_slot_fits_type',
  expression:
    "type = 'WEAPON' and (slot = 'MAIN_HAND' or slot = 'OFF_HAND')" +
    " or type = 'ARMOR' and (slot = 'OFF_HAND' or slot = 'HEAD' or slot = 'CHEST' or slot = 'HANDS' or slot = 'LEGS' or slot = 'FEET' or slot = 'BACK')" +
    " or type = 'MISC' and (slot is null or slot = 'RING' or slot = 'AMULET')" +
    " or (type = 'CONSUMABLE' or type = 'MATERIAL' or type = 'QUEST') and slot is null",
})
@Check({ name: 'items_stats_object', expression: "jsonb_typeof(stats) = 'object'" })
@Check({ name: 'items_stats_need_slot', expression: "slot is not null or stats = '{}'" })
@Check({ name: 'items_effects_array', expression: "jsonb_typeof(effects) = 'array'" })
@Check({
  name: 'items_effects_only_consumables',
  expression: "type = 'CONSUMABLE' and effects <> '[]' or type <> 'CONSUMABLE' and effects = '[]'",
})
export class Item {
  [EntityRepositoryType]?: ItemRepository;

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Unique case-insensitively (expression index above). */
  @Property({ type: 'string', length: 64 })
  name!: string;

  @Property({ type: 'text' })
  description!: string;

  @Enum({ items: () => ItemType, columnType: 'varchar(16)' })
  type!: ItemType;

  @Enum({ items: () => Rarity, columnType: 'varchar(16)' })
  rarity!: Rarity;

  /** Price in gold. */
  @Property({ type: 'integer' })
  value!: number;

  /** Pounds, exact to two decimals (numeric, so inventory sums do not drift). */
  @Property({ type: new DecimalType('number'), precision: 7, scale: 2 })
  weight!: number;

  @Enum({ items: () => EquipmentSlot, columnType: 'varchar(16)', nullable: true })
  slot?: EquipmentSlot | null;

  /** Bonuses while equipped, e.g. { "strength": 2 }; see item-rules.ts. */
  @Property({ type: 'json', columnType: 'jsonb' })
  stats: ItemStats = {};

  /** What one use does, e.g. [{ "type": "heal", "amount": 50 }]; see item-rules.ts. */
  @Property({ type: 'json', columnType: 'jsonb' })
  effects: ItemEffect[] = [];

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();
}
