import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { Connection, DEFAULT_PAGE_SIZE, SequenceCursor } from '../../common/graphql/connection';
import type { LoaderRegistry } from '../../common/graphql/loaders';
import { EventsService } from './events.service';
import type { GameEventModel } from './game-event.type';

/** `Player.events` on every character a request shows: one statement per page asked for. */
@Injectable()
export class EventsLoader {
  constructor(private readonly events: EventsService) {}

  /** Validates `after` at once (BAD_USER_INPUT), then batches with the same page of others. */
  page(
    registry: LoaderRegistry,
    playerId: string,
    first = DEFAULT_PAGE_SIZE,
    after?: string,
  ): Promise<Connection<GameEventModel>> {
    const afterId = SequenceCursor.decode(after);
    const loaders = registry.get(
      this,
      () => new Map<string, DataLoader<string, Connection<GameEventModel>>>(),
    );
    const key = `${first}:${afterId ?? ''}`;
    let loader = loaders.get(key);
    if (!loader) {
      loader = new DataLoader((playerIds) => this.events.pages(playerIds, first, afterId));
      loaders.set(key, loader);
    }
    return loader.load(playerId);
  }
}
