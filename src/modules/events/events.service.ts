import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import {
  Connection,
  DEFAULT_PAGE_SIZE,
  SequenceCursor,
  toConnection,
} from '../../common/graphql/connection';
import { InjectEventBus } from '../../infra/pubsub/pubsub.module';
import { EventBus } from '../../infra/pubsub/event-bus';
import { Player } from '../players/player.entity';
import { EventType } from './event-type.enum';
import { GameEvent } from './game-event.entity';
import { GameEventModel } from './game-event.type';

export const gameEventsTopic = (playerId: string) => `gameEvents.${playerId}`;
/** Public events at a location (arrivals, departures, trades): anyone signed in may watch. */
export const locationEventsTopic = (locationId: string) => `locationEvents.${locationId}`;

export interface RecordOptions {
  /** Topics to publish on besides the character's own, e.g. locationEventsTopic(here). */
  alsoPublishTo?: string[];
}

/** Records events inside the caller's transaction; see EventsService.transaction. */
export interface EventLog {
  record(
    player: Player,
    type: EventType,
    name: string,
    data?: Record<string, unknown>,
    options?: RecordOptions,
  ): void;
}

/** What goes over PubSub: plain JSON, the same in memory and through Redis. */
export type PublishedEvent = Omit<GameEventModel, 'createdAt'> & { createdAt: string };

@Injectable()
export class EventsService {
  constructor(
    private readonly em: EntityManager,
    @InjectEventBus() private readonly bus: EventBus,
  ) {}

  /**
   * Runs a state change in one transaction; the events it records are written in
   * that same transaction and published only after it commits, so subscribers
   * never hear of a change that was rolled back.
   */
  async transaction<T>(work: (tx: EntityManager, log: EventLog) => Promise<T>): Promise<T> {
    const recorded: { event: GameEvent; topics: string[] }[] = [];
    const result = await this.em.transactional(async (tx) =>
      work(tx, {
        record: (player, type, name, data = {}, options = {}) => {
          const event = tx.create(GameEvent, { player, type, name, data, createdAt: new Date() });
          recorded.push({ event, topics: options.alsoPublishTo ?? [] });
        },
      }),
    );
    for (const { event, topics } of recorded) {
      const message = toPublished(event);
      for (const topic of new Set([gameEventsTopic(message.playerId), ...topics]))
        await this.bus.publish(topic, message);
    }
    return result;
  }

  /** The log of one character, oldest first. */
  async page(
    playerId: string,
    first = DEFAULT_PAGE_SIZE,
    after?: string,
  ): Promise<Connection<GameEventModel>> {
    const afterSeq = SequenceCursor.decode(after);
    const rows = await this.em.find(
      GameEvent,
      { player: playerId, ...(afterSeq ? { id: { $gt: afterSeq } } : {}) },
      { orderBy: { id: 'asc' }, limit: first + 1 },
    );
    return toConnection(rows.map(toModel), first, (e) => SequenceCursor.encode(e.id));
  }

  subscribe(playerId: string): Promise<AsyncIterableIterator<PublishedEvent>> {
    return this.bus.subscribe<PublishedEvent>(gameEventsTopic(playerId));
  }

  subscribeToLocation(locationId: string): Promise<AsyncIterableIterator<PublishedEvent>> {
    return this.bus.subscribe<PublishedEvent>(locationEventsTopic(locationId));
  }
}

function toModel(event: GameEvent): GameEventModel {
  return {
    id: event.id,
    playerId: event.player.id,
    type: event.type as EventType,
    name: event.name,
    data: event.data,
    createdAt: event.createdAt,
  };
}

function toPublished(event: GameEvent): PublishedEvent {
  return { ...toModel(event), createdAt: event.createdAt.toISOString() };
}

export function fromPublished(message: PublishedEvent): GameEventModel {
  return { ...message, createdAt: new Date(message.createdAt) };
}
