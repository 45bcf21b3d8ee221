import { QueryOrder, raw } from '@mikro-orm/core';
import { EntityRepository } from '@mikro-orm/postgresql';
import { inList } from '../../infra/database/sql-values';
import type { EquipmentSlot, ItemType, Rarity } from './item.enums';
import type { Item } from './item.entity';
import { ITEM_VIEW_COLUMNS, type ItemView, itemViewOf, type ItemViewRow } from './item.view';

export interface ItemQuery {
  type?: ItemType;
  rarity?: Rarity;
  slot?: EquipmentSlot;
  /** Case-insensitive substring of the name, taken literally (no wildcards). */
  search?: string;
}

/** A position in the catalogue order: case-folded name in byte order, then id. */
export interface ItemPosition {
  name: string;
  id: string;
}

// Same expression as the unique index, so the order is total and can use it.
const SORT_KEY = 'lower(i.name) collate "C"';

export class ItemRepository extends EntityRepository<Item> {
  /** Up to `limit` items after `after`, in catalogue order. */
  page(query: ItemQuery, limit: number, after?: ItemPosition): Promise<Item[]> {
    const qb = this.createQueryBuilder('i').select('*');
    if (query.type) qb.andWhere({ type: query.type });
    if (query.rarity) qb.andWhere({ rarity: query.rarity });
    if (query.slot) qb.andWhere({ slot: query.slot });
    if (query.search) {
      qb.andWhere(`lower(i.name) like lower(?) escape '\\'`, [`%${escapeLike(query.search)}%`]);
    }
    if (after) {
      qb.andWhere(`(${SORT_KEY}, i.id) > (lower(?) collate "C", ?)`, [after.name, after.id]);
    }
    return qb
      .orderBy([{ [raw(SORT_KEY)]: QueryOrder.ASC }, { id: QueryOrder.ASC }])
      .limit(limit)
      .getResult();
  }

  /** These items as plain read-only values (no hydration), in no particular order. */
  async viewsOf(ids: readonly string[]): Promise<ItemView[]> {
    const rows = await this.getEntityManager().execute<ItemViewRow[]>(
      `select ${ITEM_VIEW_COLUMNS} from items i where i.id in (?)`,
      [inList(ids)],
    );
    return rows.map(itemViewOf);
  }

  async nameTaken(name: string): Promise<boolean> {
    const rows = await this.getEntityManager().execute<{ n: number }[]>(
      `select 1 as n from items where lower(name) collate "C" = lower(?) collate "C" limit 1`,
      [name],
    );
    return rows.length > 0;
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
