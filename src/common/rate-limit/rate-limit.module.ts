import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/env';
import { RATE_LIMIT_STORAGE } from './rate-limit.module-tokens';
import { RateLimitGuard } from './rate-limit.guard';
import {
  MemoryRateLimitStorage,
  RateLimitStorage,
  RedisRateLimitStorage,
} from './rate-limit.storage';

export { RATE_LIMIT_STORAGE };

/** How long start-up waits for Redis before counting in memory until it answers. */
const CONNECT_WAIT_MS = 1_000;

async function createStorage(config: AppConfig): Promise<RateLimitStorage> {
  const memory = new MemoryRateLimitStorage();
  if (!config.redis.url) return memory;
  // Loaded only when used, like the cache's and the PubSub's Redis clients.
  const [{ default: Redis }, { ThrottlerStorageRedisService }] = await Promise.all([
    import('ioredis'),
    import('@nest-lab/throttler-storage-redis'),
  ]);
  const redis = new Redis(config.redis.url, {
    // Fail at once while disconnected rather than queue: the fallback answers instead.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: config.redis.timeoutMs,
    retryStrategy: (times: number) => Math.min(100 * 2 ** times, 2_000),
  });
  const storage = new RedisRateLimitStorage(
    redis,
    new ThrottlerStorageRedisService(redis),
    memory,
    config.redis.timeoutMs,
  );
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, CONNECT_WAIT_MS);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return storage;
}

/** Counters for the rate limits; the guard itself is registered in AppModule, after the AuthGuard. */
@Global()
@Module({
  providers: [
    { provide: RATE_LIMIT_STORAGE, inject: [APP_CONFIG], useFactory: createStorage },
    RateLimitGuard,
  ],
  exports: [RATE_LIMIT_STORAGE, RateLimitGuard],
})
export class RateLimitModule implements OnApplicationShutdown {
  constructor(@Inject(RATE_LIMIT_STORAGE) private readonly storage: RateLimitStorage) {}

  async onApplicationShutdown(): Promise<void> {
    await this.storage.close();
  }
}
