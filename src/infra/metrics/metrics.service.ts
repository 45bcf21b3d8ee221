import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { OperationNames } from '../observability/operation-names';

const ERROR_CODE = /^[A-Z_]{1,40}$/;

/**
 * Every Prometheus metric the server exposes on GET /metrics, in one place so
 * names and labels stay consistent. One registry per app instance (not
 * prom-client's global one): tests boot several apps in one process.
 * Label values must come from closed sets (operation names are the client's
 * choice, so they are truncated and counted, never used raw without bound).
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  /** GraphQL operations by name and type, from parse to response. */
  readonly operationDuration = new Histogram({
    name: 'loremaster_graphql_operation_duration_seconds',
    help: 'GraphQL operation latency by operation name and type',
    labelNames: ['operation', 'type'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  /** Errors returned to clients, by the `extensions.code` of API.md. */
  readonly errors = new Counter({
    name: 'loremaster_graphql_errors_total',
    help: 'GraphQL errors returned, by error code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  /** Calls refused by a rate limit, by the limit's name. */
  readonly rateLimitHits = new Counter({
    name: 'loremaster_rate_limit_hits_total',
    help: 'Requests refused by a rate limit, by limit name',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });

  /** Cached GraphQL reads: hit, miss, or error (Redis away: served uncached). */
  readonly cacheLookups = new Counter({
    name: 'loremaster_cache_lookups_total',
    help: 'Response cache lookups by result (hit, miss, error)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly openSubscriptions = new Gauge({
    name: 'loremaster_open_subscriptions',
    help: 'GraphQL subscriptions currently open on this instance',
    registers: [this.registry],
  });

  readonly openSockets = new Gauge({
    name: 'loremaster_open_websockets',
    help: 'graphql-ws connections currently open on this instance',
    registers: [this.registry],
  });

  /** The database pool at scrape time: used, free, pending (waiting for a connection), max. */
  readonly dbPool = new Gauge({
    name: 'loremaster_db_pool_connections',
    help: 'Database pool connections by state (used, free, pending, max), read at scrape time',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  /** One model call (including its retries), by purpose and outcome. */
  readonly llmDuration = new Histogram({
    name: 'loremaster_llm_request_duration_seconds',
    help: 'Model call latency by purpose and outcome (ok, cached, error, timeout, circuit_open, budget_exceeded)',
    labelNames: ['purpose', 'outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60],
    registers: [this.registry],
  });

  readonly llmTokens = new Counter({
    name: 'loremaster_llm_tokens_total',
    help: 'Model tokens used, by purpose and kind (prompt, completion)',
    labelNames: ['purpose', 'kind'] as const,
    registers: [this.registry],
  });

  readonly llmRetries = new Counter({
    name: 'loremaster_llm_retries_total',
    help: 'Model call retries, by purpose',
    labelNames: ['purpose'] as const,
    registers: [this.registry],
  });

  readonly llmFailures = new Counter({
    name: 'loremaster_llm_failures_total',
    help: 'Model calls that failed after their retries, by purpose and reason',
    labelNames: ['purpose', 'reason'] as const,
    registers: [this.registry],
  });

  /** The one rule, measured: what the model proposed and what the server decided. */
  readonly toolProposals = new Counter({
    name: 'loremaster_gm_tool_proposals_total',
    help: 'Game-master tool proposals by tool and decision (accepted, rejected)',
    labelNames: ['tool', 'decision'] as const,
    registers: [this.registry],
  });

  /** Turns by who answered them (model, offline, fallback). */
  readonly turns = new Counter({
    name: 'loremaster_gm_turns_total',
    help: 'Game-master turns by source (model, offline, fallback)',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'loremaster_' });
  }

  /** Operation-name labels, bounded, shared by HTTP and WebSocket operations. */
  readonly operationNames = new OperationNames();

  /** Counts errors as the client received them (formatted), by `extensions.code`. */
  countErrors(errors: readonly { extensions?: Record<string, unknown> }[]): void {
    for (const error of errors) {
      const code = error.extensions?.code;
      this.errors.inc({ code: typeof code === 'string' && ERROR_CODE.test(code) ? code : 'OTHER' });
    }
  }

  /** Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
