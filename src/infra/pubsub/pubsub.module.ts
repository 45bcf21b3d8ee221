import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { PubSub } from 'graphql-subscriptions';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/env';
import { EventBus } from './event-bus';

export const EVENT_BUS = Symbol('EVENT_BUS');
export const InjectEventBus = (): ParameterDecorator => Inject(EVENT_BUS);

async function createEventBus(config: AppConfig): Promise<EventBus> {
  if (!config.redis.url) return new EventBus(new PubSub(), 1_000);
  // Loaded only when used, like the cache's Redis client.
  const [{ RedisPubSub }, { default: Redis }] = await Promise.all([
    import('graphql-redis-subscriptions'),
    import('ioredis'),
  ]);
  const options = { maxRetriesPerRequest: 1, connectTimeout: 2_000 };
  // The publisher fails fast while Redis is away; the subscriber queues its
  // SUBSCRIBE commands and re-subscribes by itself after a reconnect.
  const publisher = new Redis(config.redis.url, { ...options, enableOfflineQueue: false });
  const subscriber = new Redis(config.redis.url, options);
  const engine = new (class extends RedisPubSub {
    // graphql-redis-subscriptions 2.7: when SUBSCRIBE fails (Redis away), the
    // returned promise rejects (the caller handles that) and so does an internal
    // one that nobody awaits — an unhandled rejection, which ends a Node process.
    // Mark the internal one handled; the caller still sees the failure.
    override subscribe<T>(trigger: string, onMessage: (message: T) => void, options?: unknown) {
      const subscribed = super.subscribe<T>(trigger, onMessage, options);
      const internal = this as unknown as {
        subsPendingRefsMap: Map<string, { pending: { promise: Promise<unknown> } }>;
      };
      internal.subsPendingRefsMap.get(trigger)?.pending.promise.catch(() => undefined);
      return subscribed;
    }
  })({ publisher, subscriber });
  // disconnect(), not quit(): QUIT waits for a Redis that may be down, and a
  // reconnecting client would keep the process alive.
  return new EventBus(engine, config.redis.timeoutMs * 4, async () => {
    publisher.disconnect();
    subscriber.disconnect();
  });
}

@Global()
@Module({
  providers: [{ provide: EVENT_BUS, inject: [APP_CONFIG], useFactory: createEventBus }],
  exports: [EVENT_BUS],
})
export class PubSubModule implements OnApplicationShutdown {
  constructor(@Inject(EVENT_BUS) private readonly bus: EventBus) {}

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}
