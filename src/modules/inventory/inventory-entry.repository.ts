import { EntityRepository } from '@mikro-orm/postgresql';
import type { InventoryEntry } from './inventory-entry.entity';

export class InventoryEntryRepository extends EntityRepository<InventoryEntry> {
  /** The inventories of these characters with their items, in one query, oldest stack first. */
  ofPlayers(playerIds: readonly string[]): Promise<InventoryEntry[]> {
    return this.find(
      { player: { $in: [...playerIds] } },
      { populate: ['item'], orderBy: { createdAt: 'asc', id: 'asc' } },
    );
  }
}
