import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { GraphQLSchema } from 'graphql';
import { InjectConfig } from '../../config/config.module';
import type { AppConfig } from '../../config/env';
import { AppCache } from '../../infra/cache/app-cache';
import { MetricsService } from '../../infra/metrics/metrics.service';
import type { AuthUser } from '../auth/auth-user';
import { deserialize, serialize } from './plain';

export type CacheScope = 'public' | 'user';

/** How one resolver's results are cached; see CacheResult and cacheField. */
export interface CacheResultOptions<Args = Record<string, unknown>, Parent = unknown> {
  /** Seconds an entry lives at most (a write to one of its tags ends it sooner). */
  ttl: number;
  /** public: one entry for everyone; user: one per signed-in user (anonymous calls are not cached). */
  scope: CacheScope;
  /** What the result depends on: a committed change to any of these ends the entry. */
  tags: (args: Args, parent: Parent, user: AuthUser | undefined) => string[];
}

/** One resolver call, as the cache sees it. */
export interface CacheCall {
  /** `Type.field`. */
  field: string;
  args: Record<string, unknown>;
  parent: unknown;
  user: AuthUser | undefined;
}

const MAX_TTL_SECONDS = 3_600;
/** Tag versions outlive every entry, so an expired version can never revive an old entry. */
const TAG_TTL_MS = 24 * 3_600_000;
/** How often tag versions that could not be written are tried again. */
const RETRY_MS = 1_000;
/** Larger results are served but not stored. */
const MAX_ENTRY_CHARS = 512 * 1024;

export const tagKey = (tag: string) => `rc:tag:${tag}`;
/**
 * Written before the tags of every invalidation (same connection, so Redis applies them in
 * that order): a reader that sees it unchanged across a computation knows no tag moved.
 */
export const BUMP_KEY = 'rc:bump';

/** Each app's cache by its schema: field middleware has no injector, but it has `info.schema`. */
const bySchema = new WeakMap<GraphQLSchema, ResponseCache>();

export function responseCacheFor(schema: GraphQLSchema): ResponseCache | undefined {
  return bySchema.get(schema);
}

/**
 * Resolver results in AppCache (Redis or memory), invalidated by tags.
 *
 * Each tag has a version in the cache; an entry records the versions it was
 * computed under and is a hit only while they are all still current. A write
 * replaces the versions of the tags it touches (after its commit): one cache
 * write per tag, seen by every instance sharing the Redis. The versions are read
 * BEFORE the resolver runs, so a result computed from data older than a
 * concurrent write is stored under an old version and never served.
 *
 * The entry and its tag versions come in one round trip (AppCache shares one MGET
 * among the lookups of a tick: sibling fields of a list, concurrent requests).
 */
@Injectable()
export class ResponseCache {
  /** Tags whose new version could not be written (cache down): retried before the next read. */
  private readonly unwritten = new Set<string>();
  private readonly instance = randomBytes(6).toString('base64url');
  private counter = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private retrying: Promise<void> | undefined;

  constructor(
    private readonly cache: AppCache,
    private readonly metrics: MetricsService,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  get enabled(): boolean {
    return this.config.responseCache.enabled;
  }

  /** Lets this schema's field middleware find this cache. */
  attach(schema: GraphQLSchema): void {
    bySchema.set(schema, this);
  }

  /** The cached result of `call`, or `load()`'s (stored for next time). */
  async through<T>(
    options: CacheResultOptions<never, never>,
    call: CacheCall,
    load: () => Promise<T>,
  ): Promise<T> {
    const userId = call.user?.id;
    if (options.scope === 'user' && !userId) return load();
    if (this.unwritten.size > 0 && this.cache.available) {
      // One retry at a time, which every concurrent lookup waits for.
      this.retrying ??= this.retryUnwritten().finally(() => (this.retrying = undefined));
      await this.retrying;
    }
    if (!this.cache.available) {
      this.metrics.cacheLookups.inc({ result: 'error' });
      return load();
    }

    const tags = (options.tags as CacheResultOptions['tags'])(call.args, call.parent, call.user);
    const key = entryKey(call, options.scope === 'user' ? userId : undefined);
    // getMany never throws; undefined when the cache failed.
    const found = await this.cache.getMany<string>([key, ...tags.map(tagKey)]);
    if (!found) {
      this.metrics.cacheLookups.inc({ result: 'error' });
      return load();
    }
    const [entry, ...versions] = found;
    const stamp = versions.map((v) => v ?? '0').join(',') + '\n';
    if (entry?.startsWith(stamp)) {
      this.metrics.cacheLookups.inc({ result: 'hit' });
      return deserialize(entry.slice(stamp.length)) as T;
    }
    this.metrics.cacheLookups.inc({ result: 'miss' });
    const value = await load();
    this.store(key, stamp, value, options.ttl);
    return value;
  }

  /** Several keys, batched with every other read of this tick; undefined when the cache failed. */
  read(keys: string[]): Promise<(string | undefined)[] | undefined> {
    return this.cache.getMany<string>(keys);
  }

  write(key: string, value: string, ttlMs: number): Promise<boolean> {
    return this.cache.set(key, value, ttlMs);
  }

  /** Ends every entry that named one of these tags, on every instance. */
  async invalidate(tags: Iterable<string>): Promise<void> {
    const unique = [...new Set(tags)];
    if (unique.length === 0) return;
    const version = `${this.instance}.${(++this.counter).toString(36)}`;
    // First, and awaited: see BUMP_KEY. If it fails, so do the tags below (and all are retried).
    await this.cache.set(BUMP_KEY, version, TAG_TTL_MS);
    const written = await Promise.all(
      unique.map((tag) => this.cache.set(tagKey(tag), version, TAG_TTL_MS)),
    );
    unique.forEach((tag, i) => {
      if (written[i]) this.unwritten.delete(tag);
      else this.unwritten.add(tag);
    });
    if (this.unwritten.size > 0) this.scheduleRetry();
  }

  private async retryUnwritten(): Promise<void> {
    await this.invalidate([...this.unwritten]);
  }

  /**
   * Other instances read the same Redis: once it is back they must not serve what
   * this instance's writes ended while it was away, even if this one reads nothing.
   */
  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.retryUnwritten();
    }, RETRY_MS).unref();
  }

  private store(key: string, stamp: string, value: unknown, ttlSeconds: number): void {
    let text: string | undefined;
    try {
      text = serialize(value);
    } catch {
      return;
    }
    if (text === undefined || text.length > MAX_ENTRY_CHARS) return;
    const ttlMs = Math.min(ttlSeconds, MAX_TTL_SECONDS) * 1000;
    // Not awaited: the response need not wait for it, and AppCache never throws.
    void this.cache.set(key, stamp + text, ttlMs);
  }
}

function entryKey(call: CacheCall, userId: string | undefined): string {
  const parentId = (call.parent as { id?: unknown } | undefined)?.id;
  const parts = stableJson([call.args, parentId ?? null, userId ?? null]);
  const digest = createHash('sha1').update(parts).digest('base64url');
  return `rc:${call.field}:${digest}`;
}

/** JSON with object keys sorted, so equal arguments give equal keys. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys
    .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
    .join(',')}}`;
}
