import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { EventType } from '../events/event-type.enum';
import {
  EventLog,
  EventsService,
  locationEventsTopic,
  PublishedEvent,
} from '../events/events.service';
import { Player } from '../players/player.entity';
import { Location } from './location.entity';
import { LocationExit } from './location-exit.entity';
import { LocationRepository } from './location.repository';
import { WorldErrors } from './world.errors';

@Injectable()
export class WorldService {
  constructor(
    private readonly em: EntityManager,
    private readonly locations: LocationRepository,
    private readonly events: EventsService,
  ) {}

  listLocations(): Promise<Location[]> {
    return this.locations.listAll();
  }

  async getLocation(id: string): Promise<Location> {
    const location = await this.locations.findOne(id);
    if (!location) throw WorldErrors.locationNotFound();
    return location;
  }

  /**
   * Moves one of the user's characters one step, along an exit of where it stands.
   * The row lock serialises concurrent moves of a character, so each one starts
   * from where the previous one ended.
   */
  async travel(userId: string, playerId: string, locationId: string): Promise<Player> {
    return this.events.transaction(async (tx, log) => {
      const player = await tx.getRepository(Player).lockOwned(userId, playerId);
      await this.move(tx, player, locationId, log);
      return player;
    });
  }

  /**
   * One step along an exit, for a character the caller has locked inside an
   * EventsService transaction (travel above, game-master turns).
   */
  async move(tx: EntityManager, player: Player, locationId: string, log: EventLog): Promise<void> {
    const locations = tx.getRepository(Location);
    const from = player.locationId;
    const found = await locations.find({ id: { $in: [from, locationId] } });
    const here = found.find((l) => l.id === from);
    const there = found.find((l) => l.id === locationId);
    if (!there) throw WorldErrors.locationNotFound();
    if (!here) throw new Error(`Player ${player.id} stands in unknown location ${from}`);

    if (player.health <= 0) throw WorldErrors.tooHurtToTravel(player.characterName);
    if (here.id === there.id) throw WorldErrors.alreadyThere(player.characterName, here);
    const exits = (await tx.getRepository(LocationExit).from([here.id])).map(
      (exit) => exit.toLocation,
    );
    if (!exits.some((exit) => exit.id === there.id)) throw WorldErrors.noPath(here, there, exits);

    player.locationId = there.id;
    log.record(
      player,
      EventType.TRAVELLED,
      `${player.characterName} travelled from ${here.name} to ${there.name}`,
      { from: here.id, to: there.id },
      { alsoPublishTo: [locationEventsTopic(here.id), locationEventsTopic(there.id)] },
    );
  }

  /** Public events at a location, live. */
  async watchLocation(locationId: string): Promise<AsyncIterableIterator<PublishedEvent>> {
    // Subscriptions run outside any HTTP request context: use a fork of our own.
    if ((await this.em.fork().count(Location, { id: locationId })) === 0)
      throw WorldErrors.locationNotFound();
    return this.events.subscribeToLocation(locationId);
  }
}
