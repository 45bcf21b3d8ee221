import { Logger } from '@nestjs/common';
import type { PubSubEngine } from 'graphql-subscriptions';

const QUEUE_LIMIT = 1_000;

/**
 * An EventBus subscription. `divert` hands the events to a function as they arrive instead
 * (those already queued first): a consumer with thousands of subscriptions of one topic can then
 * act on an event for all of them in one pass, where pulling with `next` takes a few promise
 * turns per subscription. Call it before pulling.
 */
export interface EventStream<T> extends AsyncIterableIterator<T> {
  divert(to: (payload: T) => void): void;
}

/**
 * Publish/subscribe for live updates, over graphql-subscriptions' PubSubEngine
 * (in-memory, or Redis so an event reaches subscribers on every instance).
 * `subscribe` resolves only once the engine has really subscribed, so nothing
 * published after it returns can be missed.
 */
export class EventBus {
  private readonly logger = new Logger(EventBus.name);
  private readonly local = new Map<string, number>();

  constructor(
    private readonly engine: PubSubEngine,
    private readonly publishTimeoutMs: number,
    private readonly onClose: () => Promise<void> = async () => undefined,
  ) {}

  /** Best effort and bounded: the state change is already committed when this runs. */
  async publish(topic: string, payload: unknown): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.engine.publish(topic, payload),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('publish timed out')), this.publishTimeoutMs);
        }),
      ]);
    } catch (error) {
      this.logger.warn(`publish to ${topic} failed: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  async subscribe<T>(topic: string): Promise<EventStream<T>> {
    const queue: T[] = [];
    const waiting: ((result: IteratorResult<T>) => void)[] = [];
    let done = false;
    let diverted: ((payload: T) => void) | undefined;
    const subId = await this.engine.subscribe(
      topic,
      (payload: T) => {
        if (diverted) {
          // The engine calls every local subscriber in one loop: one failing must not stop it.
          try {
            diverted(payload);
          } catch (error) {
            this.logger.warn(`a subscriber of ${topic} failed: ${(error as Error).message}`);
          }
          return;
        }
        const next = waiting.shift();
        if (next) next({ value: payload, done: false });
        else if (queue.length < QUEUE_LIMIT) queue.push(payload);
        // A consumer this far behind is stuck; dropping beats growing without bound.
      },
      {},
    );
    this.local.set(topic, (this.local.get(topic) ?? 0) + 1);

    const finish = (): Promise<IteratorResult<T>> => {
      if (!done) {
        done = true;
        this.engine.unsubscribe(subId);
        const left = (this.local.get(topic) ?? 1) - 1;
        if (left > 0) this.local.set(topic, left);
        else this.local.delete(topic);
        for (const resolve of waiting.splice(0)) resolve({ value: undefined, done: true });
      }
      return Promise.resolve({ value: undefined, done: true });
    };

    const iterator: EventStream<T> = {
      divert: (to) => {
        diverted = to;
        for (const payload of queue.splice(0)) to(payload);
      },
      next: () => {
        if (queue.length > 0) return Promise.resolve({ value: queue.shift() as T, done: false });
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => waiting.push(resolve));
      },
      return: finish,
      throw: async (error: unknown) => {
        await finish();
        throw error;
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** Open subscriptions on this instance for a topic (tests wait on it; metrics read it). */
  localSubscribers(topic: string): number {
    return this.local.get(topic) ?? 0;
  }

  async close(): Promise<void> {
    await this.onClose();
  }
}
