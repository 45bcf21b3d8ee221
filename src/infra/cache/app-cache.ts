import { CACHE_MANAGER } from '@nestjs/cache-manager';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Cache } from 'cache-manager';
import DataLoader from 'dataloader';
import { InjectConfig } from '../../config/config.module';
import type { AppConfig } from '../../config/env';

export type CacheHealth = 'ok' | 'degraded';

/**
 * After a failure, calls are skipped (read as misses) for this long instead of
 * each one waiting out CACHE_TIMEOUT_MS: during a Redis outage a request pays
 * nothing for the cache, and one call per second finds out when it is back.
 */
const SKIP_AFTER_FAILURE_MS = 1_000;
const TIMED_OUT = Symbol('timed out');

/**
 * The cache as the rest of the code sees it. Every call is bounded in time and
 * never throws: a slow or dead Redis reads as a miss and a skipped write.
 */
@Injectable()
export class AppCache implements OnApplicationShutdown {
  private readonly logger = new Logger(AppCache.name);
  private lastFailureLog = 0;
  private failures = 0;
  private skipUntil = 0;
  private readonly reads = new DataLoader<string, unknown>(
    async (keys) => {
      const values = await this.bounded(() => this.cache.mget<unknown>([...keys]), 'mget');
      if (!values) throw new Error('cache unavailable');
      return values.map((value) => value ?? undefined);
    },
    { cache: false, maxBatchSize: 500 },
  );

  constructor(
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
    @InjectConfig() private readonly config: AppConfig,
  ) {
    // Keyv reports store errors as events and answers as if nothing happened: listen to know.
    for (const keyv of this.cache.stores) {
      keyv.on('error', (error: unknown) => this.failed('store', error));
    }
  }

  /** False for a moment after a failure (calls are then skipped as misses). */
  get available(): boolean {
    return Date.now() >= this.skipUntil;
  }

  get backend(): 'redis' | 'memory' {
    return this.config.redis.url ? 'redis' : 'memory';
  }

  async get<T>(key: string): Promise<T | undefined> {
    const value = await this.bounded(() => this.cache.get<T>(key), 'get');
    return value ?? undefined;
  }

  /**
   * Several keys in one round trip; undefined when the cache failed (not just missed). Calls
   * made in the same tick share one MGET: a request's session check and its cached answer,
   * sibling fields of a list, concurrent requests.
   */
  async getMany<T>(keys: string[]): Promise<(T | undefined)[] | undefined> {
    if (!this.available) return undefined;
    try {
      return (await Promise.all(keys.map((key) => this.reads.load(key)))) as (T | undefined)[];
    } catch {
      return undefined;
    }
  }

  /** True when the value was stored. */
  async set<T>(key: string, value: T, ttlMs: number): Promise<boolean> {
    const stored = await this.bounded(async () => {
      await this.cache.set(key, value, ttlMs);
      return true;
    }, 'set');
    return stored === true;
  }

  async del(key: string): Promise<void> {
    await this.bounded(() => this.cache.del(key), 'del');
  }

  /** A write and a read of a probe key, for /health. */
  async health(): Promise<CacheHealth> {
    const key = `health:${process.pid}`;
    const stamp = Date.now();
    // Past the skip window on purpose: readiness must see Redis come back at once.
    const wrote = await this.bounded(() => this.cache.set(key, stamp, 5_000), 'set', true);
    const read =
      wrote === undefined
        ? undefined
        : await this.bounded(() => this.cache.get<number>(key), 'get', true);
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
        await this.bounded(() => store.disconnect!(true), 'disconnect', true);
      }
    }
  }

  /** The call's result, or undefined when it failed, timed out or was skipped. */
  private async bounded<T>(
    call: () => Promise<T>,
    op: string,
    evenWhileFailing = false,
  ): Promise<T | undefined> {
    if (!evenWhileFailing && !this.available) return undefined;
    const failuresBefore = this.failures;
    const ms = this.config.redis.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), ms);
    });
    try {
      const result = await Promise.race([call(), timeout]);
      if (result === TIMED_OUT) {
        this.failed(op, new Error(`no answer within ${ms} ms`));
        return undefined;
      }
      // A store error reported as an event during the call: its answer is a guess.
      return this.failures === failuresBefore ? result : undefined;
    } catch (error) {
      this.failed(op, error);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  private failed(op: string, error: unknown): void {
    this.failures++;
    this.skipUntil = Date.now() + SKIP_AFTER_FAILURE_MS;
    this.logFailure(op, error);
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
