import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import type { LoaderRegistry } from '../../common/graphql/loaders';
import { Player } from '../players/player.entity';
import type { PlayerView } from '../players/player.view';
import { Location } from './location.entity';
import { LocationExit } from './location-exit.entity';
import { Npc } from './npc.entity';
import type { LocationView, NpcView } from './world.view';

/** One query per relation per request, however many locations or characters the request touches. */
export interface WorldLoaders {
  location: DataLoader<string, LocationView>;
  exits: DataLoader<string, LocationView[]>;
  npcs: DataLoader<string, NpcView[]>;
  playersHere: DataLoader<string, PlayerView[]>;
}

@Injectable()
export class WorldLoader {
  constructor(private readonly em: EntityManager) {}

  /** This request's world loaders. */
  for(registry: LoaderRegistry): WorldLoaders {
    return registry.get(this, () => this.create());
  }

  create(): WorldLoaders {
    // Plain SQL returning plain read-only values (the repositories' view queries): nothing
    // enters an identity map, so no fork is needed outside a request (subscription operations).
    const em = this.em;

    const location = new DataLoader<string, LocationView>(async (ids) => {
      const rows = await em.getRepository(Location).viewsOf(ids);
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? new Error(`Location ${id} does not exist`));
    });

    const exits = new DataLoader<string, LocationView[]>(async (ids) => {
      const rows = await em.getRepository(LocationExit).viewsFrom(ids);
      const groups = new Map<string, LocationView[]>(ids.map((id) => [id, []]));
      for (const { fromId, ...to } of rows) {
        location.prime(to.id, to);
        groups.get(fromId)?.push(to);
      }
      return ids.map((id) => groups.get(id) ?? []);
    });

    const npcs = new DataLoader<string, NpcView[]>(async (ids) =>
      groupByKey(
        ids,
        await em.getRepository(Npc).inLocations(ids),
        (npc) => npc.location.id,
        (npc) => npc,
      ),
    );

    const playersHere = new DataLoader<string, PlayerView[]>(async (ids) =>
      groupByKey(
        ids,
        await em.getRepository(Player).viewsLivingIn(ids),
        (player) => player.locationId,
        (player) => player,
      ),
    );

    return { location, exits, npcs, playersHere };
  }
}

/** Rows grouped under the keys they belong to, in key order (every key gets a list, maybe empty). */
function groupByKey<R, V>(
  keys: readonly string[],
  rows: readonly R[],
  keyOf: (row: R) => string,
  valueOf: (row: R) => V,
): V[][] {
  const groups = new Map<string, V[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(valueOf(row));
  return keys.map((key) => groups.get(key) ?? []);
}
