import { CacheModule as NestCacheModule, CacheOptions } from '@nestjs/cache-manager';
import { Global, Module } from '@nestjs/common';
import Keyv from 'keyv';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/env';
import { AppCache } from './app-cache';

/**
 * `@nestjs/cache-manager` 3 on a Keyv store: Redis when REDIS_URL is set, process
 * memory otherwise. (The design card's `cache-manager-ioredis-yet` only fits
 * `@nestjs/cache-manager` 2, which does not run on Nest 11.)
 */
@Global()
@Module({
  imports: [
    NestCacheModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig): Promise<CacheOptions> => {
        if (!config.redis.url) return { stores: [memoryStore()], ttl: 60_000 };
        // Loaded only when used: the Redis client is a tenth of the server's start-up.
        const { default: KeyvRedis } = await import('@keyv/redis');
        const store = new KeyvRedis(
          {
            url: config.redis.url,
            // Fail commands at once while disconnected instead of queueing them
            // forever: an outage must read as a cache miss, not a hung request.
            disableOfflineQueue: true,
            socket: {
              connectTimeout: 2_000,
              reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000),
            },
          },
          { connectionTimeout: config.redis.timeoutMs, throwOnConnectError: false },
        );
        // @keyv/redis 5 adds its client listeners again on every connection attempt: a leak
        // that grows through a Redis outage. Its client object never changes, so once is enough.
        (store as unknown as { initClient: () => void }).initClient = () => undefined;
        // Connected before the first request: with the offline queue off, commands sent while
        // the client is still connecting fail ("The client is offline"), and AppCache would
        // then skip the cache for a second. Bounded by connectionTimeout; a Redis that is down
        // at start is tried again by the first command.
        const ignore = () => undefined;
        store.on('error', ignore);
        await store.getClient().catch(ignore);
        store.off('error', ignore);
        return { stores: [new Keyv({ store, namespace: config.redis.keyPrefix })], ttl: 60_000 };
      },
    }),
  ],
  providers: [AppCache],
  exports: [AppCache],
})
export class CacheModule {}

/** Entries kept in memory at most: keys follow client-chosen arguments, so the map needs a bound. */
const MEMORY_MAX_ENTRIES = 10_000;

/** Forgets the oldest entry when full (Keyv only drops expired entries when they are read). */
class BoundedMap<K, V> extends Map<K, V> {
  override set(key: K, value: V): this {
    if (this.size >= MEMORY_MAX_ENTRIES && !this.has(key)) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}

function memoryStore(): Keyv {
  const keyv = new Keyv({ store: new BoundedMap() });
  // Values stay as they are, as in cache-manager's own default store.
  keyv.serialize = undefined;
  keyv.deserialize = undefined;
  return keyv;
}
