import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import { InjectConfig } from '../../config/config.module';
import type { AppConfig } from '../../config/env';

export type CacheHealth = 'ok' | 'degraded';

/**
 * The cache as the rest of the code sees it. Every call is bounded in time and
 * never throws: a slow or dead Redis reads as a miss and a skipped write.
 */
@Injectable()
export class AppCache implements OnApplicationShutdown {
  private readonly logger = new Logger(AppCache.name);
  private lastFailureLog = 0;

  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  get backend(): 'redis' | 'memory' {
    return this.config.redis.url ? 'redis' : 'memory';
  }

  async get<T>(key: string): Promise<T | undefined> {
    const value = await this.bounded(() => this.cache.get<T>(key), 'get');
    return value ?? undefined;
  }

  async set<T>(key: string, value: T, ttlMs: number): Promise<void> {
    await this.bounded(() => this.cache.set(key, value, ttlMs), 'set');
  }

  async del(key: string): Promise<void> {
    await this.bounded(() => this.cache.del(key), 'del');
  }

  /** A write and a read of a probe key, for /health. */
  async health(): Promise<CacheHealth> {
    const key = `health:${process.pid}`;
    const stamp = Date.now();
    const wrote = await this.bounded(() => this.cache.set(key, stamp, 5_000), 'set');
    const read =
      wrote === undefined
        ? undefined
        : await this.bounded(() => this.cache.get<number>(key), 'get');
    return read === stamp ? 'ok' : 'degraded';
  }

  /**
   * Force-closes the Redis connection: a graceful close would wait on a Redis
   * that is down, and its reconnect loop would keep the process alive.
   */
  async onApplicationShutdown(): Promise<void> {
    for (const keyv of this.cache.stores) {
      const store = keyv.store as { disconnect?: (force?: boolean) => Promise<void> };
      if (typeof store.disconnect === 'function') {
        await this.bounded(() => store.disconnect!(true), 'disconnect');
      }
    }
  }

  private async bounded<T>(call: () => Promise<T>, op: string): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.config.redis.timeoutMs);
    });
    try {
      return await Promise.race([call(), timeout]);
    } catch (error) {
      this.logFailure(op, error);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /** At most one line every 10 s: an outage must not flood the log. */
  private logFailure(op: string, error: unknown): void {
    const now = Date.now();
    if (now - this.lastFailureLog < 10_000) return;
    this.lastFailureLog = now;
    this.logger.warn(
      `cache ${op} failed, treated as a miss: ${(error as Error)?.message ?? error}`,
    );
  }
}
