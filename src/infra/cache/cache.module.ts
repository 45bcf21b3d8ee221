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
        if (!config.redis.url) return { ttl: 60_000 };
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
        return { stores: [new Keyv({ store, namespace: config.redis.keyPrefix })], ttl: 60_000 };
      },
    }),
  ],
  providers: [AppCache],
  exports: [AppCache],
})
export class CacheModule {}
