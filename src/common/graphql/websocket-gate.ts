import type { IncomingMessage } from 'node:http';
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import {
  type DocumentNode,
  getOperationAST,
  GraphQLError,
  parse,
  validate,
  specifiedRules,
  ValidationRule,
} from 'graphql';
import type { Context as WsContext, SubscribePayload } from 'graphql-ws';
import type WebSocket from 'ws';
import { InjectConfig } from '../../config/config.module';
import type { AppConfig } from '../../config/env';
import { createClientAddressResolver } from '../../config/trust-proxy';
import { MetricsService } from '../../infra/metrics/metrics.service';
import { EventBus } from '../../infra/pubsub/event-bus';
import { InjectEventBus } from '../../infra/pubsub/pubsub.module';
import type { AuthUser } from '../auth/auth-user';
import { DomainError } from '../errors/domain-error';
import { AuthService } from '../../modules/auth/auth.service';
import { SessionRevoked, sessionRevokedTopic } from '../../modules/auth/session-events';
import { CostAnalysis, SchemaHolder, webSocketRules, withoutSuggestions } from './hardening';
import { type DirectSink, SharedStream } from './shared-subscriptions';

/** Close codes of our own (graphql-ws reserves 4400-4499 for its protocol; 4403 is the API's). */
export const CLOSE_SESSION_ENDED = 4403;
export const CLOSE_TOO_MANY_CONNECTIONS = 4429;

const MAX_TIMER_MS = 2 ** 31 - 1;
/** Distinct queries whose parsed and validated document is kept (most recently used). */
const MAX_DOCUMENTS = 100;
/** Bytes a socket may have waiting to be written before results sent directly are dropped. */
const MAX_BUFFERED_BYTES = 1 << 20;

type ConnectionParams = { authorization?: unknown; Authorization?: unknown } | undefined;

/** What graphql-ws/use/ws puts in `extra`, plus our per-connection state. */
export interface WsExtra {
  socket: WebSocket;
  /** The upgrade request, until `onConnect` has read the client address from it. */
  request?: IncomingMessage;
  user?: AuthUser;
  token?: string;
  /** Client address under TRUST_PROXY, computed once per connection. */
  ip?: string;
  /** Counted in the per-user and open-socket numbers (undone exactly once on close). */
  counted?: boolean;
  expiryTimer?: NodeJS.Timeout;
  /** Ids of the subscription operations now streaming on this socket. */
  streaming?: Set<string>;
  /** Operations in flight: their metric labels and start, for the latency histogram. */
  operations?: Map<string, { operation: string; type: string; started: number }>;
}

export type GateContext = WsContext<ConnectionParams, WsExtra>;

export function bearerFrom(params: ConnectionParams): string | undefined {
  const value = params?.authorization ?? params?.Authorization;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  return value.replace(/^Bearer\s+/i, '').trim();
}

/**
 * The graphql-ws side of auth and hardening: who may open a socket, how many,
 * what a socket may send (the same parse, validation and cost limits as HTTP),
 * and when it must go (token expiry, logout on any instance, periodic re-check).
 * Counts open sockets and subscriptions in the metrics.
 */
@Injectable()
export class WebSocketGate implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('WebSocket');
  private readonly clientAddress: ReturnType<typeof createClientAddressResolver>;
  private readonly rules: ValidationRule[];
  private readonly cost: CostAnalysis;
  /** Authenticated sockets of this instance, by user, for the per-user cap and revocation. */
  private readonly byUser = new Map<string, Set<GateContext>>();
  private checkTimer?: NodeJS.Timeout;
  private stopListening?: () => void;
  private rechecking = false;
  /**
   * Documents that parsed and validated, by query text, for `schema.schema`: the thousands of
   * sockets of one client app send the same few queries, and each would otherwise hold its own
   * AST (about 8 KB for `gameEvents`) for as long as its subscription lives.
   */
  private readonly documents = new Map<string, DocumentNode>();
  private documentsSchema?: unknown;
  readonly schema = new SchemaHolder();

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly auth: AuthService,
    private readonly metrics: MetricsService,
    @InjectEventBus() private readonly bus: EventBus,
  ) {
    this.clientAddress = createClientAddressResolver(config.http.trustProxy);
    this.rules = [...specifiedRules, ...webSocketRules(config.graphql)];
    this.cost = new CostAnalysis(config.graphql.maxCost);
  }

  async onModuleInit(): Promise<void> {
    this.checkTimer = setInterval(
      () => void this.recheckAll(),
      this.config.ws.authCheckIntervalMs,
    ).unref();
    const topic = sessionRevokedTopic(this.config.redis.keyPrefix);
    if (!this.config.redis.url) {
      const revocations = await this.bus.subscribe<SessionRevoked>(topic);
      this.stopListening = () => void revocations.return?.();
      void (async () => {
        for await (const { sessionId } of revocations) this.closeSession(sessionId);
      })();
      return;
    }
    // A connection of our own: graphql-redis-subscriptions leaves an unhandled
    // rejection behind when a SUBSCRIBE fails (Redis down at start-up). This one
    // queues the SUBSCRIBE until Redis answers and re-subscribes after reconnects.
    const { default: Redis } = await import('ioredis');
    const redis = new Redis(this.config.redis.url, { maxRetriesPerRequest: null });
    redis.on('error', () => undefined);
    redis.on('message', (_channel: string, message: string) => {
      try {
        this.closeSession((JSON.parse(message) as SessionRevoked).sessionId);
      } catch {
        // Not ours to judge: a malformed message closes nothing.
      }
    });
    redis.subscribe(topic).catch(() => undefined);
    this.stopListening = () => redis.disconnect();
  }

  onApplicationShutdown(): void {
    clearInterval(this.checkTimer);
    this.stopListening?.();
  }

  /** The client address of a socket's operations (for the rate limits). */
  addressOf(ctx: GateContext): string {
    ctx.extra.ip ??= this.clientAddress(ctx.extra.request!);
    return ctx.extra.ip;
  }

  /**
   * Anonymous sockets may open (their operations then fail UNAUTHENTICATED); a
   * bad token closes with 4403, one socket too many for a user with 4429.
   */
  async onConnect(ctx: GateContext): Promise<boolean> {
    // Of the upgrade request only the address is needed: the request itself (headers and all,
    // about 1.5 KB) would otherwise live as long as the socket.
    this.addressOf(ctx);
    delete ctx.extra.request;
    const token = bearerFrom(ctx.connectionParams);
    if (!token) return this.opened(ctx);
    let user: AuthUser;
    try {
      user = await this.auth.verifyAccessToken(token);
    } catch {
      return false;
    }
    const sockets = this.byUser.get(user.id) ?? new Set<GateContext>();
    if (sockets.size >= this.config.ws.maxConnectionsPerUser) {
      ctx.extra.socket.close(
        CLOSE_TOO_MANY_CONNECTIONS,
        `Too many connections (at most ${this.config.ws.maxConnectionsPerUser} per user)`,
      );
      return false;
    }
    this.byUser.set(user.id, sockets.add(ctx));
    ctx.extra.user = user;
    ctx.extra.token = token;
    const expiresInMs = expiryOf(token) - Date.now();
    // Past a timer's range (about 24 days) the periodic re-check is enough.
    if (expiresInMs < MAX_TIMER_MS) {
      ctx.extra.expiryTimer = setTimeout(
        () => this.end(ctx, 'Access token expired'),
        Math.max(0, expiresInMs),
      ).unref();
    }
    return this.opened(ctx);
  }

  private opened(ctx: GateContext): true {
    ctx.extra.counted = true;
    this.metrics.openSockets.inc();
    return true;
  }

  onClose(ctx: GateContext): void {
    const extra = ctx.extra;
    clearTimeout(extra.expiryTimer);
    if (extra.user) {
      const sockets = this.byUser.get(extra.user.id);
      sockets?.delete(ctx);
      if (sockets?.size === 0) this.byUser.delete(extra.user.id);
    }
    if (extra.streaming?.size) this.metrics.openSubscriptions.dec(extra.streaming.size);
    extra.streaming?.clear();
    if (extra.counted) {
      extra.counted = false;
      this.metrics.openSockets.dec();
    }
  }

  /**
   * Parses and validates like Apollo does over HTTP (token, depth, alias and
   * cost limits, no introspection when it is off), and caps the operations in
   * flight on one socket. Refusals are errors for that operation only.
   */
  onSubscribe(
    ctx: GateContext,
    id: string,
    payload: SubscribePayload,
  ):
    | readonly GraphQLError[]
    | {
        schema: unknown;
        document: unknown;
        operationName?: string | null;
        variableValues?: unknown;
      } {
    const schema = this.schema.schema;
    if (!schema) return [new GraphQLError('Server is starting')];
    // graphql-ws has already registered this id: count it among the open ones.
    const open = Object.keys(ctx.subscriptions).length;
    if (open > this.config.ws.maxSubscriptionsPerConnection) {
      const message = `Too many operations on this connection (at most ${this.config.ws.maxSubscriptionsPerConnection}); complete one first`;
      return [
        // retryAfter as API.md promises for RATE_LIMITED; in truth: as soon as one completes.
        new GraphQLError(message, {
          originalError: new DomainError('RATE_LIMITED', message, { retryAfter: 1 }),
        }),
      ];
    }
    const document = this.validDocument(schema, payload.query);
    if (Array.isArray(document)) return document;
    const variables = payload.variables ?? undefined;
    const refused = this.cost.check(
      schema,
      document,
      variables,
      payload.operationName ?? undefined,
    );
    if (refused) return [refused];
    const operation = getOperationAST(document, payload.operationName);
    (ctx.extra.operations ??= new Map()).set(id, {
      operation: this.metrics.operationNames.label(payload.operationName ?? operation?.name?.value),
      type: operation?.operation ?? 'unknown',
      started: performance.now(),
    });
    return {
      schema,
      document,
      operationName: payload.operationName,
      variableValues: variables,
    };
  }

  /** The query's document, parsed and validated once per distinct text; or why it is refused. */
  private validDocument(
    schema: NonNullable<SchemaHolder['schema']>,
    query: string,
  ): DocumentNode | GraphQLError[] {
    if (this.documentsSchema !== schema) {
      this.documents.clear();
      this.documentsSchema = schema;
    }
    const known = this.documents.get(query);
    if (known) {
      this.documents.delete(query);
      this.documents.set(query, known);
      return known;
    }
    let document;
    try {
      document = parse(query, { maxTokens: this.config.graphql.maxTokens });
    } catch (error) {
      return [layerError(error, 'GRAPHQL_PARSE_FAILED')];
    }
    const errors = validate(schema, document, this.rules);
    if (errors.length > 0) {
      return errors.map((error) =>
        layerError(error, 'GRAPHQL_VALIDATION_FAILED', this.config.graphql.hideSuggestions),
      );
    }
    if (this.documents.size >= MAX_DOCUMENTS)
      this.documents.delete(this.documents.keys().next().value as string);
    this.documents.set(query, document);
    return document;
  }

  /** A subscription started streaming (queries and mutations answer once and are not counted). */
  onOperation(ctx: GateContext, id: string, result: unknown): void {
    if (result && typeof result === 'object' && Symbol.asyncIterator in result) {
      (ctx.extra.streaming ??= new Set()).add(id);
      this.metrics.openSubscriptions.inc();
      if (result instanceof SharedStream) result.sendTo(directSink(ctx.extra.socket, id));
    }
  }

  /**
   * The operation ended (completed by either side, or errored). Queries and
   * mutations land in the same latency histogram as over HTTP; a subscription's
   * lifetime is not a latency.
   */
  onOperationEnd(ctx: GateContext, id: string): void {
    const streamed = ctx.extra.streaming?.delete(id);
    if (streamed) this.metrics.openSubscriptions.dec();
    const timing = ctx.extra.operations?.get(id);
    if (!timing) return;
    ctx.extra.operations!.delete(id);
    if (streamed || timing.type === 'subscription') return;
    this.metrics.operationDuration.observe(
      { operation: timing.operation, type: timing.type },
      (performance.now() - timing.started) / 1000,
    );
  }

  /** Errors sent over the socket, counted by code like those answered over HTTP. */
  countErrors(errors: readonly { extensions?: Record<string, unknown> }[]): void {
    this.metrics.countErrors(errors);
  }

  /** Closes every socket of a session on this instance (logout, refresh-token reuse). */
  closeSession(sessionId: string): void {
    for (const sockets of this.byUser.values()) {
      for (const ctx of sockets) {
        if (ctx.extra.user?.sessionId === sessionId) this.end(ctx, 'Session ended');
      }
    }
  }

  /** Catches what the revocation event may have missed (Redis away while it was published). */
  private async recheckAll(): Promise<void> {
    // Thousands of sockets on a slow cache can outlast the interval: never two rounds at once.
    if (this.rechecking) return;
    this.rechecking = true;
    try {
      await this.recheckEach();
    } finally {
      this.rechecking = false;
    }
  }

  private async recheckEach(): Promise<void> {
    // One check per distinct token per round: the sockets of one sign-in (a client with many
    // tabs, or the fan-out bench's 5,000) share the verdict instead of a cache read each.
    const verdicts = new Map<string, Promise<boolean>>();
    for (const sockets of [...this.byUser.values()]) {
      for (const ctx of [...sockets]) {
        const token = ctx.extra.token;
        if (!token) continue;
        let verdict = verdicts.get(token);
        if (!verdict) {
          verdict = this.auth.verifyAccessToken(token).then(
            () => true,
            () => false,
          );
          verdicts.set(token, verdict);
        }
        if (!(await verdict)) this.end(ctx, 'Session ended');
      }
    }
  }

  private end(ctx: GateContext, reason: string): void {
    this.logger.debug(`closing a socket of user ${ctx.extra.user?.id}: ${reason}`);
    ctx.extra.socket.close(CLOSE_SESSION_ENDED, reason);
  }
}

/**
 * The `next` message graphql-ws would write for a result without errors (`{"data":…}`, which
 * needs no formatting), built around a payload serialised once for every socket.
 */
function directSink(socket: WebSocket, id: string): DirectSink {
  const head = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  return (payload) => {
    // Like graphql-ws: nothing to a closing socket. Unlike it, no waiting for the write: a
    // client that does not read loses results (as a stuck EventBus consumer does) rather than
    // letting them pile up here.
    if (socket.readyState !== socket.OPEN || socket.bufferedAmount > MAX_BUFFERED_BYTES) return;
    socket.send(`${head}${payload}}`);
  };
}

/** `exp` of a token that was just verified (seconds since the epoch). */
function expiryOf(token: string): number {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as {
      exp?: number;
    };
    return typeof claims.exp === 'number' ? claims.exp * 1000 : Infinity;
  } catch {
    return Infinity;
  }
}

function layerError(error: unknown, code: string, hideSuggestions = false): GraphQLError {
  const source = error instanceof GraphQLError ? error : new GraphQLError(String(error));
  const message = hideSuggestions ? withoutSuggestions(source.message) : source.message;
  return new GraphQLError(message, { nodes: source.nodes, extensions: { code } });
}
