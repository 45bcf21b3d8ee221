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

/**
 * Game logic that follows from an event (a quest objective advancing when its
 * item is acquired …). It runs inside the transaction that recorded the event,
 * on the same locked rows, so the consequence commits or rolls back with it.
 */
export type EventReaction = (tx: EntityManager, event: GameEvent, log: EventLog) => Promise<void>;

/** Reactions may record events that trigger further reactions; past this depth it is a bug. */
const MAX_EVENTS_PER_TRANSACTION = 1_000;

/** What goes over PubSub: plain JSON, the same in memory and through Redis. */
export type PublishedEvent = Omit<GameEventModel, 'createdAt'> & { createdAt: string };

@Injectable()
export class EventsService {
  private readonly reactions = new Map<string, EventReaction[]>();

  constructor(
    private readonly em: EntityManager,
    @InjectEventBus() private readonly bus: EventBus,
  ) {}

  /** Registers a reaction to events of these types (modules call it once, at start-up). */
  react(types: EventType[], reaction: EventReaction): void {
    for (const type of types)
      this.reactions.set(type, [...(this.reactions.get(type) ?? []), reaction]);
  }

  /**
   * Runs a state change in one transaction; the events it records are written in
   * that same transaction and published only after it commits, so subscribers
   * never hear of a change that was rolled back.
   */
  async transaction<T>(work: (tx: EntityManager, log: EventLog) => Promise<T>): Promise<T> {
    const recorded: { event: GameEvent; topics: string[] }[] = [];
    const result = await this.em.transactional(async (tx) => {
      const log: EventLog = {
        record: (player, type, name, data = {}, options = {}) => {
          if (recorded.length >= MAX_EVENTS_PER_TRANSACTION) {
            throw new Error(`more than ${MAX_EVENTS_PER_TRANSACTION} events in one transaction`);
          }
          const event = tx.create(GameEvent, { player, type, name, data, createdAt: new Date() });
          recorded.push({ event, topics: options.alsoPublishTo ?? [] });
        },
      };
      const value = await work(tx, log);
      // Reactions see every event, also those recorded by other reactions.
      for (let i = 0; i < recorded.length; i++) {
        const { event } = recorded[i];
        for (const reaction of this.reactions.get(event.type) ?? []) await reaction(tx, event, log);
      }
      return value;
    });
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
