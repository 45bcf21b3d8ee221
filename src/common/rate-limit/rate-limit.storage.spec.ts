import { EventEmitter } from 'node:events';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { MemoryRateLimitStorage, RedisRateLimitStorage } from './rate-limit.storage';

describe('rate-limit storage', () => {
  afterEach(() => jest.useRealTimers());

  it('counts a fixed window in memory: refuses past the limit, with the seconds left, then resets', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const storage = new MemoryRateLimitStorage();
    expect(await storage.hit('k', 2, 60_000)).toEqual({ allowed: true, retryAfter: 0 });
    expect(await storage.hit('k', 2, 60_000)).toEqual({ allowed: true, retryAfter: 0 });
    jest.setSystemTime(1_000_000 + 15_500);
    expect(await storage.hit('k', 2, 60_000)).toEqual({ allowed: false, retryAfter: 45 });
    expect(await storage.hit('other', 2, 60_000)).toEqual({ allowed: true, retryAfter: 0 });
    jest.setSystemTime(1_000_000 + 60_000);
    expect(await storage.hit('k', 2, 60_000)).toEqual({ allowed: true, retryAfter: 0 });
    await storage.close();
  });

  it('falls back to its in-memory counters when Redis does not answer in time', async () => {
    const hanging: ThrottlerStorage = { increment: () => new Promise(() => undefined) };
    const redis = Object.assign(new EventEmitter(), { disconnect: jest.fn() });
    const storage = new RedisRateLimitStorage(
      redis as unknown as Redis,
      hanging,
      new MemoryRateLimitStorage(),
      20,
    );
    expect(await storage.hit('k', 1, 60_000)).toEqual({ allowed: true, retryAfter: 0 });
    expect((await storage.hit('k', 1, 60_000)).allowed).toBe(false);
    await storage.close();
    expect(redis.disconnect).toHaveBeenCalled();
  });

  it("judges the Redis count against the caller's own limit, not another instance's block", async () => {
    const blocked: ThrottlerStorage = {
      increment: () =>
        Promise.resolve({ totalHits: 5, timeToExpire: 7, isBlocked: true, timeToBlockExpire: 50 }),
    };
    const storage = new RedisRateLimitStorage(
      Object.assign(new EventEmitter(), { disconnect: () => undefined }) as unknown as Redis,
      blocked,
      new MemoryRateLimitStorage(),
      100,
    );
    expect(await storage.hit('k', 4, 60_000)).toEqual({ allowed: false, retryAfter: 7 });
    expect(await storage.hit('k', 100, 60_000)).toEqual({ allowed: true, retryAfter: 0 });
    await storage.close();
  });
});
