import { RequestContext } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import type { LoaderRegistry } from '../../common/graphql/loaders';
import { Item } from '../items/item.entity';
import { InventoryEntry } from './inventory-entry.entity';

/** One query for all the inventories a request shows, items included, however many characters. */
export interface InventoryLoaders {
  /** A character's stacks, oldest first. */
  inventory: DataLoader<string, InventoryEntry[]>;
  item: DataLoader<string, Item>;
}

@Injectable()
export class InventoryLoader {
  constructor(private readonly em: EntityManager) {}

  for(registry: LoaderRegistry): InventoryLoaders {
    return registry.get(this, () => this.create());
  }

  create(): InventoryLoaders {
    // The request's EntityManager; subscription operations run outside one, so they get a fork.
    const em =
      (RequestContext.getEntityManager(this.em.name) as EntityManager | undefined) ??
      this.em.fork();

    const item = new DataLoader<string, Item>(async (ids) => {
      const rows = await em.find(Item, { id: { $in: [...ids] } });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? new Error(`Item ${id} does not exist`));
    });

    const inventory = new DataLoader<string, InventoryEntry[]>(async (playerIds) => {
      // The items come in the same query (a join) and fill the item loader.
      const rows = await em.getRepository(InventoryEntry).ofPlayers(playerIds);
      for (const row of rows) item.prime(row.item.id, row.item);
      const groups = new Map<string, InventoryEntry[]>(playerIds.map((id) => [id, []]));
      for (const row of rows) groups.get(row.player.id)?.push(row);
      return playerIds.map((id) => groups.get(id) ?? []);
    });

    return { inventory, item };
  }
}
