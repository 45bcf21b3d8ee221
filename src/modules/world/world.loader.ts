import { RequestContext } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import type { LoaderRegistry } from '../../common/graphql/loaders';
import { Player } from '../players/player.entity';
import { Location } from './location.entity';
import { LocationExit } from './location-exit.entity';
import { Npc } from './npc.entity';

/** One query per relation per request, however many locations or characters the request touches. */
export interface WorldLoaders {
  location: DataLoader<string, Location>;
  exits: DataLoader<string, Location[]>;
  npcs: DataLoader<string, Npc[]>;
  playersHere: DataLoader<string, Player[]>;
}

@Injectable()
export class WorldLoader {
  constructor(private readonly em: EntityManager) {}

  /** This request's world loaders. */
  for(registry: LoaderRegistry): WorldLoaders {
    return registry.get(this, () => this.create());
  }

  create(): WorldLoaders {
    // The request's EntityManager; subscription operations run outside one, so they get a fork.
    const em =
      (RequestContext.getEntityManager(this.em.name) as EntityManager | undefined) ??
      this.em.fork();
    const locations = em.getRepository(Location);

    const location = new DataLoader<string, Location>(async (ids) => {
      const rows = await locations.find({ id: { $in: [...ids] } });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? new Error(`Location ${id} does not exist`));
    });

    const exits = new DataLoader<string, Location[]>(async (ids) => {
      const rows = await em.getRepository(LocationExit).from(ids);
      for (const exit of rows) location.prime(exit.toLocation.id, exit.toLocation);
      return groupByKey(
        ids,
        rows,
        (exit) => exit.fromLocation.id,
        (exit) => exit.toLocation,
      );
    });

    const npcs = new DataLoader<string, Npc[]>(async (ids) =>
      groupByKey(
        ids,
        await em.getRepository(Npc).inLocations(ids),
        (npc) => npc.location.id,
        (npc) => npc,
      ),
    );

    const playersHere = new DataLoader<string, Player[]>(async (ids) =>
      groupByKey(
        ids,
        await em.getRepository(Player).livingIn(ids),
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
