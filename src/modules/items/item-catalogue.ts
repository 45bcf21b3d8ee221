import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Item } from './item.entity';
import type { ItemView } from './item.view';

/**
 * Catalogue entries by id, kept in process memory. An item never changes once
 * created (the API only adds them), so an entry read once is right for the life
 * of the process on every instance, and a new id is simply a miss. Saves the
 * hot read of a character a query (and a round trip) for its quests' items.
 *
 * They are plain read-only values (ItemView), not entities: never flushed, in no
 * request's identity map, and no hydration to pay for.
 */
@Injectable()
export class ItemCatalogue {
  private readonly byId = new Map<string, ItemView>();

  constructor(private readonly em: EntityManager) {}

  /** The items of `ids` that exist, by id (one query for the ones not seen yet). */
  async find(ids: readonly string[]): Promise<ItemView[]> {
    const missing = ids.filter((id) => !this.byId.has(id));
    if (missing.length > 0) {
      const rows = await this.em.getRepository(Item).viewsOf([...new Set(missing)]);
      for (const row of rows) this.byId.set(row.id, row);
    }
    return ids.flatMap((id) => this.byId.get(id) ?? []);
  }
}
