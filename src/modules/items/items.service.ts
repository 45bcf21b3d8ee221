import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { isUuid } from '../../common/errors/validation';
import {
  Connection,
  DEFAULT_PAGE_SIZE,
  KeyCursor,
  toConnection,
} from '../../common/graphql/connection';
import { CreateItemInput } from './dto/create-item.input';
import { ItemFilter } from './dto/items.args';
import { ItemEffect, itemRuleProblems, ItemStats } from './item-rules';
import { Item } from './item.entity';
import { ItemPosition, ItemRepository } from './item.repository';
import { ItemErrors } from './items.errors';

const CURSOR_KIND = 'item';

export const ItemCursor = {
  encode: (item: Pick<Item, 'name' | 'id'>) => KeyCursor.encode(CURSOR_KIND, [item.name, item.id]),
  decode: (cursor: string | undefined): ItemPosition | undefined =>
    KeyCursor.decode(cursor, CURSOR_KIND, ([name, id, ...rest]) =>
      typeof name === 'string' && name.length <= 256 && isUuid(id) && rest.length === 0
        ? { name, id }
        : undefined,
    ),
};

@Injectable()
export class ItemsService {
  constructor(
    private readonly em: EntityManager,
    private readonly items: ItemRepository,
  ) {}

  /** The catalogue in name order (case-insensitive, then id), filtered. */
  async page(
    filter: ItemFilter = {},
    first = DEFAULT_PAGE_SIZE,
    after?: string,
  ): Promise<Connection<Item>> {
    const position = ItemCursor.decode(after);
    const rows = await this.items.page(
      {
        type: filter.type,
        rarity: filter.rarity,
        slot: filter.slot,
        search: filter.search || undefined,
      },
      first + 1,
      position,
    );
    return toConnection(rows, first, ItemCursor.encode);
  }

  async get(id: string): Promise<Item> {
    const item = await this.items.findOne({ id });
    if (!item) throw ItemErrors.notFound();
    return item;
  }

  async create(input: CreateItemInput): Promise<Item> {
    const problems = itemRuleProblems(input);
    if (problems.length) throw ItemErrors.invalid(problems);
    if (await this.items.nameTaken(input.name)) throw ItemErrors.nameTaken(input.name);

    const item = this.em.create(Item, {
      name: input.name,
      description: input.description,
      type: input.type,
      rarity: input.rarity,
      value: input.value,
      weight: input.weight,
      slot: input.slot ?? null,
      stats: (input.stats ?? {}) as ItemStats,
      effects: (input.effects ?? []) as ItemEffect[],
      createdAt: new Date(),
    });
    try {
      await this.em.flush();
    } catch (error) {
      // Two admins racing for one name: the unique index decides.
      if (error instanceof UniqueConstraintViolationException)
        throw ItemErrors.nameTaken(input.name);
      throw error;
    }
    return item;
  }
}
