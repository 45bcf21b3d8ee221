import { EntityRepository } from '@mikro-orm/postgresql';
import { inList, timestamptz } from '../../infra/database/sql-values';
import { ITEM_VIEW_COLUMNS, itemViewOf, type ItemViewRow } from '../items/item.view';
import type { EquipmentSlot } from '../items/item.enums';
import type { InventoryEntry } from './inventory-entry.entity';
import type { HeldEntryView } from './inventory-entry.view';

interface HeldEntryRow extends ItemViewRow {
  id: string;
  player_id: string;
  quantity: number;
  equipped_slot: EquipmentSlot | null;
  created_at: string | Date;
}

export class InventoryEntryRepository extends EntityRepository<InventoryEntry> {
  /**
   * The inventories of these characters with their items, in one query, oldest stack first.
   * Read-only plain objects: building the query and hydrating entities cost several times
   * the query itself on the hot read of a character.
   */
  async ofPlayers(playerIds: readonly string[]): Promise<HeldEntryView[]> {
    const rows = await this.getEntityManager().execute<HeldEntryRow[]>(
      `select e.id, e.player_id, e.quantity, e.equipped_slot, e.created_at, ${ITEM_VIEW_COLUMNS}
         from inventory_entries e join items i on i.id = e.item_id
        where e.player_id in (?) order by e.created_at, e.id`,
      [inList(playerIds)],
    );
    return rows.map((row) => ({
      id: row.id,
      playerId: row.player_id,
      quantity: row.quantity,
      equippedSlot: row.equipped_slot,
      item: itemViewOf(row),
      createdAt: timestamptz(row.created_at),
    }));
  }
}
