import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import type { LoaderRegistry } from '../../common/graphql/loaders';
import { ItemCatalogue } from '../items/item-catalogue';
import type { ItemView } from '../items/item.view';
import { Location } from '../world/location.entity';
import { Npc } from '../world/npc.entity';
import type { LocationView, NpcView } from '../world/world.view';
import { Quest } from './quest.entity';
import { QuestStatus } from './quest.enums';
import type { QuestView } from './quest.view';

/** One query per relation per request, however many quests or characters the request shows. */
export interface QuestLoaders {
  /** A character's quests of one status (or all), oldest first. */
  quests(status?: QuestStatus | null): DataLoader<string, QuestView[]>;
  location: DataLoader<string, LocationView>;
  npc: DataLoader<string, NpcView>;
  item: DataLoader<string, ItemView>;
}

@Injectable()
export class QuestsLoader {
  constructor(
    private readonly em: EntityManager,
    private readonly catalogue: ItemCatalogue,
  ) {}

  for(registry: LoaderRegistry): QuestLoaders {
    return registry.get(this, () => this.create());
  }

  create(): QuestLoaders {
    // Plain SQL returning plain read-only values (the repositories' view queries): nothing
    // enters an identity map, so no fork is needed outside a request (subscription operations).
    const em = this.em;

    // One loader per status filter: `Player.quests(status: ACTIVE)` on 50 characters is one query.
    const byStatus = new Map<string, DataLoader<string, QuestView[]>>();
    const quests = (status?: QuestStatus | null) => {
      const key = status ?? '*';
      let loader = byStatus.get(key);
      if (!loader) {
        loader = new DataLoader<string, QuestView[]>(async (playerIds) => {
          const rows = await em.getRepository(Quest).ofPlayers(playerIds, status ?? undefined);
          const groups = new Map<string, QuestView[]>(playerIds.map((id) => [id, []]));
          for (const row of rows) groups.get(row.playerId)?.push(row);
          return playerIds.map((id) => groups.get(id) ?? []);
        });
        byStatus.set(key, loader);
      }
      return loader;
    };

    return {
      quests,
      location: byId('Location', (ids) => em.getRepository(Location).viewsOf(ids)),
      npc: byId('Npc', (ids) => em.getRepository(Npc).viewsOf(ids)),
      // Catalogue items never change: served from process memory after the first read.
      item: byId('Item', (ids) => this.catalogue.find(ids)),
    };
  }
}

/** Rows by id, one query per batch; a missing id fails only its own field. */
function byId<T extends { id: string }>(
  what: string,
  find: (ids: string[]) => Promise<T[]>,
): DataLoader<string, T> {
  return new DataLoader<string, T>(async (ids) => {
    const found = new Map((await find([...ids])).map((row) => [row.id, row]));
    return ids.map((id) => found.get(id) ?? new Error(`${what} ${id} does not exist`));
  });
}
