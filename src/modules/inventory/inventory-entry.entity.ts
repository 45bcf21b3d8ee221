import { randomUUID } from 'node:crypto';
import {
  Check,
  Entity,
  EntityRepositoryType,
  Enum,
  Index,
  ManyToOne,
  PrimaryKey,
  Property,
  Unique,
} from '@mikro-orm/core';
import { Item } from '../items/item.entity';
import { EquipmentSlot } from '../items/item.enums';
import { Player } from '../players/player.entity';
import { InventoryEntryRepository } from './inventory-entry.repository';

/** The most of one item a character may hold (one stack); the database enforces it too. */
export const MAX_STACK = 9999;

/**
 * One stack of one item in a character's inventory. The database backs the rules:
 * a stack is never empty nor over MAX_STACK, one stack per item, one item per slot.
 */
@Entity({ tableName: 'inventory_entries', repository: () => InventoryEntryRepository })
@Unique({ name: 'inventory_entries_player_id_item_id_unique', properties: ['player', 'item'] })
@Index({
  name: 'inventory_entries_player_slot_unique',
  expression:
    'create unique index "inventory_entries_player_slot_unique" on "inventory_entries" ("player_id", "equipped_slot") where "equipped_slot" is not null',
})
@Check({
  name: 'inventory_entries_quantity_range',
  expression: `quantity > 0 AND quantity <= ${MAX_STACK}`,
})
export class InventoryEntry {
  [EntityRepositoryType]?: InventoryEntryRepository;

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Player, { deleteRule: 'cascade' })
  player!: Player;

  @ManyToOne(() => Item, { index: true })
  item!: Item;

  @Property({ type: 'integer' })
  quantity!: number;

  /** The slot this stack is worn in (one unit of it), or null when carried. */
  @Enum({ items: () => EquipmentSlot, columnType: 'varchar(16)', nullable: true })
  equippedSlot?: EquipmentSlot | null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();
}
