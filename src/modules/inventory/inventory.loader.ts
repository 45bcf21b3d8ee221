import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import type { LoaderRegistry } from '../../common/graphql/loaders';
import { Item } from '../items/item.entity';
import type { ItemView } from '../items/item.view';
import { InventoryEntry } from './inventory-entry.entity';
import type { InventoryEntryView } from './inventory-entry.view';

/** One query for all the inventories a request shows, items included, however many characters. */
export interface InventoryLoaders {
  /** A character's stacks, oldest first. */
  inventory: DataLoader<string, InventoryEntryView[]>;
  item: DataLoader<string, ItemView>;
}

@Injectable()
export class InventoryLoader {
  constructor(private readonly em: EntityManager) {}

  for(registry: LoaderRegistry): InventoryLoaders {
    return registry.get(this, () => this.create());
  }

  create(): InventoryLoaders {
    // Plain SQL returning plain objects: nothing enters an identity map, so no fork is needed
    // outside a request (subscription operations).
    const item = new DataLoader<string, ItemView>(async (ids) => {
      const rows = await this.em.getRepository(Item).viewsOf(ids);
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? new Error(`Item ${id} does not exist`));
    });

    const inventory = new DataLoader<string, InventoryEntryView[]>(async (playerIds) => {
      // The items come in the same query (a join) and fill the item loader.
      const rows = await this.em.getRepository(InventoryEntry).ofPlayers(playerIds);
      for (const row of rows) item.prime(row.item.id, row.item);
      const groups = new Map<string, InventoryEntryView[]>(playerIds.map((id) => [id, []]));
      for (const row of rows) groups.get(row.playerId)?.push(row);
      return playerIds.map((id) => groups.get(id) ?? []);
    });

    return { inventory, item };
  }
}
