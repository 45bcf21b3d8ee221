import type { AppConfig } from '../../config/env';
import type { AppCache } from '../../infra/cache/app-cache';
import { MetricsService } from '../../infra/metrics/metrics.service';
import { ResponseCache } from './response-cache';

/** AppCache's contract over a Map; `down` makes writes fail as they do while Redis is away. */
function memoryCache(): AppCache & { down: boolean } {
  const map = new Map<string, unknown>();
  const fake = {
    available: true,
    down: false,
    get: async (key: string) => map.get(key),
    getMany: async (keys: string[]) => keys.map((key) => map.get(key)),
    set: async (key: string, value: unknown) => {
      if (fake.down) return false;
      map.set(key, value);
      return true;
    },
  };
  return fake as unknown as AppCache & { down: boolean };
}

const config = { responseCache: { enabled: true } } as AppConfig;
const alice = { id: 'alice', role: 'PLAYER', sessionId: 's1' } as never;
const bob = { id: 'bob', role: 'PLAYER', sessionId: 's2' } as never;

describe('ResponseCache', () => {
  let cache: ResponseCache;
  beforeEach(() => {
    cache = new ResponseCache(memoryCache(), new MetricsService(), config);
  });

  const call = (user: unknown, args: Record<string, unknown> = {}) => ({
    field: 'Query.mine',
    args,
    parent: undefined,
    user: user as never,
  });

  it("keeps one entry per user in the user scope: never serves A's value to B", async () => {
    const options = { ttl: 60, scope: 'user' as const, tags: () => ['t'] };
    expect(await cache.through(options, call(alice), async () => 'for alice')).toBe('for alice');
    expect(await cache.through(options, call(bob), async () => 'for bob')).toBe('for bob');
    expect(await cache.through(options, call(alice), async () => 'recomputed')).toBe('for alice');
    expect(await cache.through(options, call(bob), async () => 'recomputed')).toBe('for bob');
  });

  it('does not cache an anonymous call in the user scope', async () => {
    const options = { ttl: 60, scope: 'user' as const, tags: () => [] };
    await cache.through(options, call(undefined), async () => 'first');
    expect(await cache.through(options, call(undefined), async () => 'second')).toBe('second');
  });

  it('shares one entry in the public scope, keyed by the arguments in any key order', async () => {
    const options = { ttl: 60, scope: 'public' as const, tags: () => [] };
    await cache.through(options, call(alice, { a: 1, b: { c: 2, d: 3 } }), async () => 'shared');
    expect(
      await cache.through(options, call(bob, { b: { d: 3, c: 2 }, a: 1 }), async () => 'other'),
    ).toBe('shared');
    expect(await cache.through(options, call(bob, { a: 2 }), async () => 'other')).toBe('other');
  });

  it('ends entries of an invalidated tag only', async () => {
    const a = { ttl: 60, scope: 'public' as const, tags: () => ['a'] };
    const b = { ttl: 60, scope: 'public' as const, tags: () => ['b'] };
    await cache.through(a, { ...call(undefined), field: 'Q.a' }, async () => 'a1');
    await cache.through(b, { ...call(undefined), field: 'Q.b' }, async () => 'b1');
    await cache.invalidate(['a']);
    expect(await cache.through(a, { ...call(undefined), field: 'Q.a' }, async () => 'a2')).toBe(
      'a2',
    );
    expect(await cache.through(b, { ...call(undefined), field: 'Q.b' }, async () => 'b2')).toBe(
      'b1',
    );
  });

  it('never serves a value computed while a write to its tag committed', async () => {
    const options = { ttl: 60, scope: 'public' as const, tags: () => ['t'] };
    // The read started before the write; its (old) result must not outlive the write.
    await cache.through(options, call(undefined), async () => {
      await cache.invalidate(['t']);
      return 'old';
    });
    expect(await cache.through(options, call(undefined), async () => 'new')).toBe('new');
  });

  it('writes a version it could not write (cache away) before serving anything again', async () => {
    const store = memoryCache();
    cache = new ResponseCache(store, new MetricsService(), config);
    const options = { ttl: 60, scope: 'public' as const, tags: () => ['t'] };
    await cache.through(options, call(undefined), async () => 'before the write');
    store.down = true;
    await cache.invalidate(['t']); // the write committed; its version could not be stored
    store.down = false;
    expect(await cache.through(options, call(undefined), async () => 'after the write')).toBe(
      'after the write',
    );
  });

  it('round-trips dates and nested data', async () => {
    const options = { ttl: 60, scope: 'public' as const, tags: () => [] };
    const value = { at: new Date('2026-01-02T03:04:05.000Z'), list: [{ n: 1, s: { x: null } }] };
    await cache.through(options, call(undefined), async () => value);
    const hit = await cache.through(options, call(undefined), async () => 'miss');
    expect(hit).toEqual(value);
    expect((hit as unknown as typeof value).at).toBeInstanceOf(Date);
  });
});
