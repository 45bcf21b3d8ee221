import type { ItemView } from '../items/item.view';
import type { EquipmentSlot } from '../items/item.enums';

/**
 * A stack as the GraphQL fields read it: an InventoryEntry entity satisfies it, and so does the
 * plain object the read path makes of a row (InventoryEntryRepository.ofPlayers).
 */
export interface InventoryEntryView {
  id: string;
  quantity: number;
  equippedSlot?: EquipmentSlot | null;
  item: ItemView;
  createdAt: Date;
}

/** A stack of the read path, with the character it belongs to. */
export interface HeldEntryView extends InventoryEntryView {
  playerId: string;
}
