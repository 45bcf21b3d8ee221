import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import type Redis from 'ioredis';

/** Where the counters live: one call per hit, answering whether the caller is over the limit. */
export interface RateLimitStorage {
  /** Counts one hit on `key`; `retryAfter` (seconds) is set when the hit is refused. */
  hit(
    key: string,
    limit: number,
    windowMs: number,
  ): Promise<{ allowed: boolean; retryAfter: number }>;
  close(): Promise<void>;
}

const SWEEP_MS = 60_000;

/**
 * Fixed windows in a Map: O(1) per hit, no timer per key (throttler's own
 * in-memory storage keeps a list of hit times per key and filters it on every
 * call, which costs more as the limit grows).
 */
export class MemoryRateLimitStorage implements RateLimitStorage {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private readonly sweeper = setInterval(() => this.sweep(), SWEEP_MS).unref();

  hit(key: string, limit: number, windowMs: number) {
    return Promise.resolve(this.hitSync(key, limit, windowMs));
  }

  hitSync(key: string, limit: number, windowMs: number) {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, window);
    }
    window.count++;
    const allowed = window.count <= limit;
    return {
      allowed,
      retryAfter: allowed ? 0 : Math.max(1, Math.ceil((window.resetAt - now) / 1000)),
    };
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }

  close(): Promise<void> {
    clearInterval(this.sweeper);
    this.windows.clear();
    return Promise.resolve();
  }
}

/**
 * Counters in Redis (throttler-storage-redis's atomic script), shared by every
 * instance. Redis away or slow: each hit falls back to this instance's own
 * in-memory counters after at most `timeoutMs`, so an outage neither fails nor
 * hangs a request and limits still hold per instance.
 */
export class RedisRateLimitStorage implements RateLimitStorage {
  private readonly logger = new Logger('RateLimit');
  private lastFailureLog = 0;

  constructor(
    private readonly redis: Redis,
    private readonly storage: ThrottlerStorage,
    private readonly fallback: MemoryRateLimitStorage,
    private readonly timeoutMs: number,
  ) {
    // ioredis reports connection errors as events; without a listener each one is printed.
    redis.on('error', (error: Error) => this.logFailure(error));
  }

  async hit(key: string, limit: number, windowMs: number) {
    let timer: NodeJS.Timeout | undefined;
    try {
      const record = await Promise.race([
        this.storage.increment(key, windowMs, limit, windowMs, 'rl'),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error('rate-limit storage timed out')),
            this.timeoutMs,
          );
        }),
      ]);
      return fromRecord(record, limit);
    } catch (error) {
      this.logFailure(error);
      return this.fallback.hitSync(key, limit, windowMs);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    // disconnect(), not quit(): QUIT would wait on a Redis that may be down.
    this.redis.disconnect();
    await this.fallback.close();
  }

  /** At most one line every 10 s: an outage must not flood the log. */
  private logFailure(error: unknown): void {
    const now = Date.now();
    if (now - this.lastFailureLog < 10_000) return;
    this.lastFailureLog = now;
    this.logger.warn(
      `Redis rate-limit counters unavailable, counting in memory on this instance: ${(error as Error)?.message ?? error}`,
    );
  }
}

/**
 * Judged against this caller's own limit, not the script's shared "blocked" flag:
 * an instance (or a test app) configured with a lower limit on the same keys
 * would otherwise block every other one for a whole window.
 */
function fromRecord(record: ThrottlerStorageRecord, limit: number) {
  const allowed = record.totalHits <= limit;
  return { allowed, retryAfter: allowed ? 0 : Math.max(1, record.timeToExpire) };
}
