import { createHash } from 'node:crypto';
import type {
  ApolloServerPlugin,
  GraphQLRequestContext,
  GraphQLRequestListener,
  GraphQLResponse,
} from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { Injectable, Logger } from '@nestjs/common';
import { Extensions } from '@nestjs/graphql';
import {
  type GraphQLField,
  type GraphQLSchema,
  isObjectType,
  type OperationDefinitionNode,
} from 'graphql';
import type { GraphQLContext } from '../../config/graphql.options';
import { MetricsService } from '../../infra/metrics/metrics.service';
import { AuthService } from '../../modules/auth/auth.service';
import { type AccessTokenClaims, isAccessClaims } from '../../modules/auth/tokens';
import type { AuthUser } from '../auth/auth-user';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { CacheTags } from './cache-tags';
import { BUMP_KEY, ResponseCache, stableJson, tagKey } from './response-cache';

/** The schema extension that holds a resolver's declared tags (see DependsOn). */
export const CACHE_TAGS = 'loremasterCacheTags';

/** `Args` and `Parent` default to never, so every TagsOf fits the plain `TagsOf`. */
export type TagsOf<Args = never, Parent = never> = (
  args: Args,
  parent: Parent,
  user: AuthUser | undefined,
) => string[];

/** A declared TagsOf, called with what graphql-js hands a resolver. */
type Tagger = (args: unknown, parent: unknown, user: AuthUser | undefined) => string[];

/**
 * Declares what a resolver reads: a committed change to any of these tags changes its
 * answer (tags are bumped from the database's change sets, cache-tags.ts). A query whose
 * every resolver declares its tags can be answered whole from the operation cache.
 * Resolvers computed from their parent alone declare `() => []`.
 */
export function DependsOn<Args = never, Parent = never>(
  tags: TagsOf<Args, Parent>,
): MethodDecorator {
  return Extensions({ [CACHE_TAGS]: tags }) as MethodDecorator;
}

/** For the fields of a character its owner reads (inventory, quests, stats …). */
export const ownCharacter: TagsOf<unknown, { id: string }> = (_args, player) => [
  CacheTags.player(player.id),
];

/** How an entry lives at most; its tags end it sooner. */
const ENTRY_TTL_MS = 10 * 60_000;
/** Larger answers are served but not stored. */
const MAX_ENTRY_CHARS = 512 * 1024;
/** Documents found not cacheable while running (a resolver without tags), remembered by hash. */
const MAX_REFUSED_DOCUMENTS = 1_000;
/** Parsed entries kept, each at most this long: a few MB at most. */
const MAX_PARSED_ENTRIES = 500;
const MAX_PARSED_CHARS = 16 * 1024;
/** Entry keys whose tags this instance remembers (cleared when full: a miss costs a round trip). */
const MAX_REMEMBERED_KEYS = 10_000;

/** Property fields (Nest's own resolver reads the parent) need no declaration; others do. */
type FieldPolicy = 'property' | Tagger | undefined;

/** A miss being recorded: the tags its resolvers read, and the bump marker seen before. */
interface Recording {
  key: string;
  bumpBefore: string | undefined;
  tags: Set<string>;
  cacheable: boolean;
}

/**
 * Whole query answers, per user, from the response cache (Redis or memory): a hot read
 * (a client polling its character) is answered without running a resolver or touching
 * the database. An Apollo plugin, so a hit skips parsing-to-execution entirely.
 *
 * What keeps it right:
 * - Only queries whose root fields all declare `@DependsOn` are looked up, and an
 *   answer is stored only if every resolver that ran declared its tags (property
 *   fields read their parent, which a declared resolver produced) and it has no errors.
 * - A hit authenticates the caller exactly as the AuthGuard would (token, then
 *   session: a logout ends cached reads at once), counts against the rate limit like
 *   the RateLimitGuard, and is keyed by the user: nobody reads another's answer.
 * - Freshness: an entry records its tags' versions and is a hit only while they are
 *   all current. Tags are discovered while resolvers run, so their versions are read
 *   after the data; the bump marker (written before any tag by every invalidation)
 *   closes that gap: the answer is stored only if no invalidation at all happened
 *   between the lookup and the version read.
 */
@Injectable()
export class OperationCache implements ApolloServerPlugin<GraphQLContext> {
  private readonly logger = new Logger(OperationCache.name);
  private readonly policies = new WeakMap<GraphQLField<unknown, unknown>, FieldPolicy>();
  private readonly rootVerdicts = new WeakMap<OperationDefinitionNode, boolean>();
  private readonly refused = new Set<string>();
  private readonly recordings = new WeakMap<object, Recording>();
  /** The last entry text seen per key, parsed (small entries only). */
  private readonly parsed = new Map<string, { entry: string; data: Record<string, unknown> }>();
  /** Each entry key's tags as last stored or read here: the hit check reads them along. */
  private readonly tagsByKey = new Map<string, string[]>();
  private schema: GraphQLSchema | undefined;

  constructor(
    private readonly cache: ResponseCache,
    private readonly auth: AuthService,
    private readonly rateLimit: RateLimitGuard,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Reads each field's policy once, before the first request: Nest gives every property
   * field the same small resolver (`rootFieldResolver`), which Apollo later wraps.
   */
  attach(schema: GraphQLSchema): void {
    this.schema = schema;
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !isObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        this.policies.set(field, policyOf(field));
      }
    }
  }

  /** The policy of one field (for tests). */
  policyOf(typeName: string, fieldName: string): 'property' | 'tags' | 'none' {
    const type = this.schema?.getType(typeName);
    const field =
      type && 'getFields' in type
        ? (type.getFields()[fieldName] as GraphQLField<unknown, unknown> | undefined)
        : undefined;
    const policy = field && this.policies.get(field);
    return policy === 'property' ? 'property' : policy ? 'tags' : 'none';
  }

  async requestDidStart(): Promise<GraphQLRequestListener<GraphQLContext> | void> {
    if (!this.cache.enabled || !this.schema) return;
    return {
      responseForOperation: (rc) => this.lookup(rc),
      executionDidStart: async (rc) => {
        const recording = this.recordings.get(rc.contextValue);
        if (!recording) return;
        const user = rc.contextValue.req.user;
        return {
          willResolveField: ({ source, args, info }) => {
            if (!recording.cacheable) return;
            const field = info.parentType.getFields()[info.fieldName] as GraphQLField<
              unknown,
              unknown
            >;
            const policy = this.policies.get(field);
            if (policy === 'property') return;
            if (!policy) {
              recording.cacheable = false;
              return;
            }
            for (const tag of policy(args, source, user)) recording.tags.add(tag);
          },
        };
      },
      willSendResponse: async (rc) => {
        const recording = this.recordings.get(rc.contextValue);
        if (!recording) return;
        if (!recording.cacheable) this.refuse(rc.queryHash);
        const body = rc.response.body;
        if (
          !recording.cacheable ||
          body.kind !== 'single' ||
          body.singleResult.errors ||
          !body.singleResult.data
        )
          return;
        // Awaited (a miss pays one more round trip): once a client has its answer, the next
        // identical read finds it, on any instance.
        await this.store(recording, body.singleResult.data);
      },
    };
  }

  private async lookup(rc: GraphQLRequestContext<GraphQLContext>): Promise<GraphQLResponse | null> {
    const operation = rc.operation;
    const { req, res } = rc.contextValue;
    // HTTP queries only (graphql-ws runs its operations outside Apollo's pipeline).
    if (!operation || operation.operation !== 'query' || !res || !rc.queryHash) return null;
    if (this.refused.has(rc.queryHash) || !this.rootCacheable(operation)) return null;

    // The token's signature first (no counting for forged tokens); then the session check,
    // the rate limit and the entry with its (usual) tag versions, all in one round trip.
    const claims = await this.claimsOf(req.headers.authorization);
    if (claims === null) return null; // a bad token: the guards answer it
    const key = operationKey(
      claims?.sub,
      rc.queryHash,
      rc.request.operationName,
      rc.request.variables,
    );
    const knownTags = this.tagsByKey.get(key) ?? [];
    req.user = claims
      ? { id: claims.sub, role: claims.role as AuthUser['role'], sessionId: claims.sid }
      : undefined;
    const [user, admitted, found] = await Promise.all([
      claims ? this.auth.validateClaims(claims).catch(() => null) : undefined,
      this.rateLimit.admit(req, res),
      this.cache.read([key, BUMP_KEY, ...knownTags.map(tagKey)]),
    ]);
    if (user === null) {
      req.user = undefined; // a session that ended: the AuthGuard answers it
      return null;
    }
    req.user = user;
    if (!admitted) return null;
    if (!found) {
      this.metrics.cacheLookups.inc({ result: 'error' });
      return null;
    }
    const [entry, bumpBefore, ...knownVersions] = found;
    const data =
      entry === undefined ? undefined : await this.validEntry(key, entry, knownTags, knownVersions);
    if (data !== undefined) {
      this.metrics.cacheLookups.inc({ result: 'hit' });
      return {
        http: { status: undefined, headers: new HeaderMap() },
        body: { kind: 'single', singleResult: { data } },
      };
    }
    this.metrics.cacheLookups.inc({ result: 'miss' });
    this.recordings.set(rc.contextValue, { key, bumpBefore, tags: new Set(), cacheable: true });
    return null;
  }

  /** Claims of a well-signed bearer token; undefined when anonymous, null when refused. */
  private async claimsOf(header: unknown): Promise<AccessTokenClaims | undefined | null> {
    if (header === undefined) return undefined;
    if (typeof header !== 'string' || !/^Bearer\s+\S/i.test(header)) return null;
    try {
      const claims = await this.auth.verifySignature(header.replace(/^Bearer\s+/i, '').trim());
      return isAccessClaims(claims) ? claims : null;
    } catch {
      return null;
    }
  }

  /** Every root field declares its tags (no fragments or directives at the root). */
  private rootCacheable(operation: OperationDefinitionNode): boolean {
    let verdict = this.rootVerdicts.get(operation);
    if (verdict === undefined) {
      const query = this.schema!.getQueryType()!.getFields();
      verdict = operation.selectionSet.selections.every(
        (s) =>
          s.kind === 'Field' &&
          !s.directives?.length &&
          (s.name.value === '__typename' ||
            (s.name.value in query &&
              typeof this.policies.get(query[s.name.value]) === 'function')),
      );
      this.rootVerdicts.set(operation, verdict);
    }
    return verdict;
  }

  /**
   * The entry's data while all its tag versions are current. The versions usually came
   * with the entry (this instance remembers each key's tags); otherwise one more read.
   */
  private async validEntry(
    key: string,
    entry: string,
    knownTags: string[],
    knownVersions: (string | undefined)[],
  ): Promise<Record<string, unknown> | undefined> {
    const firstBreak = entry.indexOf('\n');
    const secondBreak = entry.indexOf('\n', firstBreak + 1);
    if (firstBreak < 0 || secondBreak < 0) return undefined;
    const tags = entry.slice(0, firstBreak);
    const stamp = entry.slice(firstBreak + 1, secondBreak);
    if (tags !== '') {
      let versions: (string | undefined)[] | undefined = knownVersions;
      if (tags !== knownTags.join(' ')) {
        const list = tags.split(' ');
        versions = await this.cache.read(list.map(tagKey));
        this.remember(key, list);
      }
      if (!versions || versions.map((v) => v ?? '0').join(' ') !== stamp) return undefined;
    }
    // A polled entry comes back the same many times: parse it once (Apollo never mutates it).
    const parsed = this.parsed.get(key);
    if (parsed?.entry === entry) return parsed.data;
    const data = JSON.parse(entry.slice(secondBreak + 1)) as Record<string, unknown>;
    if (entry.length <= MAX_PARSED_CHARS) {
      if (this.parsed.size >= MAX_PARSED_ENTRIES) this.parsed.clear();
      this.parsed.set(key, { entry, data });
    }
    return data;
  }

  private remember(key: string, tags: string[]): void {
    if (this.tagsByKey.size >= MAX_REMEMBERED_KEYS) this.tagsByKey.clear();
    this.tagsByKey.set(key, tags);
  }

  private async store(recording: Recording, data: Record<string, unknown>): Promise<void> {
    try {
      const tags = [...recording.tags];
      const found = await this.cache.read([BUMP_KEY, ...tags.map(tagKey)]);
      if (!found) return;
      const [bumpNow, ...versions] = found;
      // Some write committed while this answer was computed: it may be older than its versions.
      if (bumpNow !== recording.bumpBefore) return;
      const text = JSON.stringify(data);
      if (text.length > MAX_ENTRY_CHARS) return;
      const stamp = versions.map((v) => v ?? '0').join(' ');
      this.remember(recording.key, tags);
      await this.cache.write(recording.key, `${tags.join(' ')}\n${stamp}\n${text}`, ENTRY_TTL_MS);
    } catch (error) {
      this.logger.warn(`operation cache store failed: ${(error as Error).message}`);
    }
  }

  private refuse(queryHash: string | undefined): void {
    if (!queryHash) return;
    if (this.refused.size >= MAX_REFUSED_DOCUMENTS) this.refused.clear();
    this.refused.add(queryHash);
  }
}

function policyOf(field: GraphQLField<unknown, unknown>): FieldPolicy {
  const declared = field.extensions?.[CACHE_TAGS] as Tagger | undefined;
  if (typeof declared === 'function') return declared;
  return field.resolve?.name === 'rootFieldResolver' ? 'property' : undefined;
}

function operationKey(
  userId: string | undefined,
  queryHash: string,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
): string {
  const digest = createHash('sha1')
    .update(stableJson([userId ?? null, queryHash, operationName ?? null, variables ?? {}]))
    .digest('base64url');
  return `oc:${digest}`;
}
