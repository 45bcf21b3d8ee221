import { decimalNumber, timestamptz } from '../../infra/database/sql-values';
import type { ItemEffect, ItemStats } from './item-rules';
import type { EquipmentSlot, ItemType, Rarity } from './item.enums';

/**
 * A catalogue item as the read path hands it to GraphQL: an Item entity satisfies it, and so
 * does the plain object itemViewOf makes of a row.
 */
export interface ItemView {
  id: string;
  name: string;
  description: string;
  type: ItemType;
  rarity: Rarity;
  value: number;
  weight: number;
  slot?: EquipmentSlot | null;
  stats: ItemStats;
  effects: ItemEffect[];
  createdAt: Date;
}

/** The select list itemViewOf reads (from `items i`), aliased so it can sit beside other tables. */
export const ITEM_VIEW_COLUMNS = `i.id as item_id, i.name as item_name,
  i.description as item_description, i.type as item_type, i.rarity as item_rarity,
  i.value as item_value, i.weight as item_weight, i.slot as item_slot, i.stats as item_stats,
  i.effects as item_effects, i.created_at as item_created_at`;

export interface ItemViewRow {
  item_id: string;
  item_name: string;
  item_description: string;
  item_type: ItemType;
  item_rarity: Rarity;
  item_value: number;
  item_weight: string | number;
  item_slot: EquipmentSlot | null;
  item_stats: ItemStats;
  item_effects: ItemEffect[];
  item_created_at: string | Date;
}

export function itemViewOf(row: ItemViewRow): ItemView {
  return {
    id: row.item_id,
    name: row.item_name,
    description: row.item_description,
    type: row.item_type,
    rarity: row.item_rarity,
    value: row.item_value,
    weight: decimalNumber(row.item_weight),
    slot: row.item_slot,
    stats: row.item_stats,
    effects: row.item_effects,
    createdAt: timestamptz(row.item_created_at),
  };
}
