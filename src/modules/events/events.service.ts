import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Connection, SequenceCursor, toConnection } from '../../common/graphql/connection';
import { CacheTags } from '../../common/cache/cache-tags';
import { inList, timestamptz } from '../../infra/database/sql-values';
import { CacheInvalidation } from '../../common/cache/cache-invalidation';
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
 * The log of an EventsService transaction. `take` lets the work write the events
 * in a statement of its own (a round trip saved on a hot path): it runs the
 * reactions to everything recorded so far and hands over the events not yet
 * handed over; the work must write them (PendingEvents) before it returns.
 * Whatever is recorded afterwards is written by the transaction as usual.
 */
export interface TransactionLog extends EventLog {
  take(): Promise<PendingEvents>;
}

/**
 * Recorded events waiting to be written: `insert` is an INSERT … RETURNING id for
 * a statement (or a WITH clause) of the caller, `written` gives the events the
 * ids it returned.
 */
export class PendingEvents {
  constructor(readonly events: readonly GameEvent[]) {}

  /**
   * One parameter whatever the number of events (none is fine too); `when`, an SQL
   * condition of the caller's statement (e.g. `exists (select from t)`), writes them
   * only if it holds.
   */
  insert(when = 'true'): { sql: string; params: unknown[] } {
    const rows = this.events.map((e) => ({
      player_id: e.player.id,
      type: e.type,
      name: e.name,
      data: e.data,
      created_at: e.createdAt.toISOString(),
    }));
    return {
      sql: `insert into game_events (player_id, type, name, data, created_at)
        select player_id, type, name, data, created_at
        from jsonb_to_recordset(?::jsonb)
          as e(player_id uuid, type varchar, name text, data jsonb, created_at timestamptz)
        where ${when}
        returning id`,
      params: [JSON.stringify(rows)],
    };
  }

  /**
   * The ids an insert returned, in any order: one statement draws them from the
   * sequence in the order of its rows, so the smallest belongs to the first event.
   */
  written(ids: readonly (string | number)[]): void {
    if (ids.length !== this.events.length)
      throw new Error(`${this.events.length} events written, ${ids.length} ids returned`);
    const sorted = ids.map((id) => BigInt(id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    sorted.forEach((id, i) => ((this.events[i] as GameEvent).id = String(id)));
  }
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

/** What `take` throws outside a transaction when a recorded event has reactions. */
class NeedsTransaction extends Error {}

/** The events one state change records, their reactions, and what was handed over to be written. */
class Recorder {
  readonly recorded: { event: GameEvent; topics: string[] }[] = [];
  /** Events whose reactions ran, and events handed over to be written. */
  private reacted = 0;
  private taken = 0;

  readonly log: TransactionLog = {
    record: (player, type, name, data = {}, options = {}) => {
      if (this.recorded.length >= MAX_EVENTS_PER_TRANSACTION) {
        throw new Error(`more than ${MAX_EVENTS_PER_TRANSACTION} events in one transaction`);
      }
      // Append-only rows stay out of the unit of work: written in one plain insert.
      const event = Object.assign(new GameEvent(), {
        player,
        type,
        name,
        data,
        createdAt: new Date(),
      });
      this.recorded.push({ event, topics: options.alsoPublishTo ?? [] });
    },
    take: async () => {
      await this.react();
      const pending = new PendingEvents(this.recorded.slice(this.taken).map((r) => r.event));
      this.taken = this.recorded.length;
      return pending;
    },
  };

  /** `tx`: the transaction the reactions run in; none for EventsService.atOnce. */
  constructor(
    private readonly reactions: ReadonlyMap<string, EventReaction[]>,
    private readonly tx: EntityManager | undefined,
  ) {}

  characterTags(): string[] {
    return this.recorded.map((r) => CacheTags.player(r.event.player.id));
  }

  /** Reactions see every event, also those recorded by other reactions. */
  private async react(): Promise<void> {
    for (; this.reacted < this.recorded.length; this.reacted++) {
      const { event } = this.recorded[this.reacted];
      const reactions = this.reactions.get(event.type);
      if (!reactions) continue;
      if (!this.tx) throw new NeedsTransaction(event.type);
      for (const reaction of reactions) await reaction(this.tx, event, this.log);
    }
  }
}

@Injectable()
export class EventsService {
  private readonly reactions = new Map<string, EventReaction[]>();

  constructor(
    private readonly em: EntityManager,
    @InjectEventBus() private readonly bus: EventBus,
    private readonly invalidation: CacheInvalidation,
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
  async transaction<T>(work: (tx: EntityManager, log: TransactionLog) => Promise<T>): Promise<T> {
    let recorder!: Recorder;
    const result = await this.em.transactional(async (tx) => {
      recorder = new Recorder(this.reactions, tx);
      const value = await work(tx, recorder.log);
      const rest = await recorder.log.take();
      if (rest.events.length > 0) {
        // The rows the events name (a character just created) go in first.
        await tx.flush();
        const { sql, params } = rest.insert();
        rest.written((await tx.execute<{ id: string }[]>(sql, params)).map((r) => r.id));
      }
      if (recorder.recorded.some((r) => r.event.id === undefined))
        throw new Error('events taken from the log were not written');
      // Cached reads of these characters end when this commits, before the caller hears of
      // it. The ORM's change sets name the same tags (cache-tags.ts), but some writes here
      // bypass the unit of work (the events themselves, a game-master turn's progression):
      // every change to a character records an event, so this catches those too.
      await this.invalidation.onCommit(tx, recorder.characterTags());
      return value;
    });
    await this.publish(recorder);
    return result;
  }

  /**
   * A state change that is one statement of the caller's, without a transaction
   * around it (PostgreSQL makes a lone statement atomic): two round trips fewer
   * than `transaction`, for hot paths whose rules can be checked before they write.
   * `work` records its events, takes them (`take`) and writes them in its statement,
   * and returns undefined when it wrote nothing (e.g. a row it checks had changed);
   * then nothing is published and the caller goes the `transaction` way instead,
   * as it does when an event it recorded has reactions (they need a transaction).
   */
  async atOnce<T>(work: (log: TransactionLog) => Promise<T | undefined>): Promise<T | undefined> {
    const recorder = new Recorder(this.reactions, undefined);
    let value: T | undefined;
    try {
      value = await work(recorder.log);
    } catch (error) {
      if (error instanceof NeedsTransaction) return undefined;
      throw error;
    }
    if (value === undefined) return undefined;
    if (recorder.recorded.some((r) => r.event.id === undefined))
      throw new Error('events recorded at once were not written');
    // Outside a transaction the statement has committed: cached reads end now.
    await this.invalidation.onCommit(this.em, recorder.characterTags());
    await this.publish(recorder);
    return value;
  }

  /**
   * Sent one after another without waiting: one Redis connection keeps their order (in
   * memory they are delivered at once, in order), and a change's events cost one round trip.
   */
  private async publish({ recorded }: Recorder): Promise<void> {
    const publishing: Promise<void>[] = [];
    for (const { event, topics } of recorded) {
      const message = toPublished(event);
      for (const topic of new Set([gameEventsTopic(message.playerId), ...topics]))
        publishing.push(this.bus.publish(topic, message));
    }
    await Promise.all(publishing);
  }

  /**
   * The same page of several characters' logs, oldest first (the same `first`, after
   * the same event id), in one statement: `Player.events` on every character a request
   * shows (EventsLoader).
   */
  async pages(
    playerIds: readonly string[],
    first: number,
    afterId: string | undefined,
  ): Promise<Connection<GameEventModel>[]> {
    const rows = await this.em.execute<EventRow[]>(
      `select e.id, e.player_id, e.type, e.name, e.data, e.created_at
       from unnest(array[?]::uuid[]) as p(id)
       cross join lateral (
         select * from game_events
         where player_id = p.id and id > ? order by id limit ?) e
       order by e.id`,
      [inList(playerIds), afterId ?? '0', first + 1],
    );
    const byPlayer = new Map<string, GameEventModel[]>(playerIds.map((id) => [id, []]));
    for (const row of rows) byPlayer.get(row.player_id)?.push(fromRow(row));
    return playerIds.map((id) =>
      toConnection(byPlayer.get(id) ?? [], first, (e) => SequenceCursor.encode(e.id)),
    );
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

/** A game_events row as the driver gives it (see sql-values.ts). */
interface EventRow {
  id: string;
  player_id: string;
  type: string;
  name: string;
  data: Record<string, unknown>;
  created_at: string | Date;
}

function fromRow(row: EventRow): GameEventModel {
  return {
    id: String(row.id),
    playerId: row.player_id,
    type: row.type as EventType,
    name: row.name,
    data: row.data,
    createdAt: timestamptz(row.created_at),
  };
}

function toPublished(event: GameEvent): PublishedEvent {
  return { ...toModel(event), createdAt: event.createdAt.toISOString() };
}

export function fromPublished(message: PublishedEvent): GameEventModel {
  return { ...message, createdAt: new Date(message.createdAt) };
}
