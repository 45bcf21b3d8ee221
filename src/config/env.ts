import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { isTrustedProxyEntry } from './trust-proxy';

export interface RateLimitSetting {
  limit: number;
  windowSeconds: number;
}

/**
 * The whole runtime configuration, read from the environment once at boot.
 * Nothing else in the code base reads `process.env`.
 */
export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  isProduction: boolean;
  host: string;
  port: number;
  logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
  database: {
    /** Unset means the embedded PGlite engine is started in-process. */
    url?: string;
    dataDir: string;
    poolSize: number;
    migrateOnStart: boolean;
    /** Bound on opening one connection: an unreachable server fails fast (at boot: exits). */
    connectTimeoutMs: number;
  };
  redis: {
    url?: string;
    /** Upper bound for any single cache call; past it the call counts as a miss. */
    timeoutMs: number;
    /** Namespace of every key and channel this app writes to Redis (several apps can share one). */
    keyPrefix: string;
  };
  auth: {
    jwtSecret: string;
    /** True when the secret was generated at boot (development only). */
    jwtSecretGenerated: boolean;
    accessTokenTtlSeconds: number;
    refreshTokenTtlSeconds: number;
  };
  graphql: {
    playground: boolean;
    introspection: boolean;
    /** Documents over these limits are refused before anything runs (HTTP and WebSocket alike). */
    maxDepth: number;
    maxAliases: number;
    maxTokens: number;
    maxCost: number;
    /** Drop "Did you mean …" hints from validation errors (they map the schema for a stranger). */
    hideSuggestions: boolean;
  };
  http: {
    bodyLimitBytes: number;
    /** Fastify `trustProxy`: false, a hop count, or the proxies' addresses/CIDRs. */
    trustProxy: false | number | string[];
    /** Origins allowed by CORS; empty means no CORS headers (same-origin only). */
    corsOrigins: string[];
  };
  /** Each limit is `limit` calls per `windowSeconds`; a limit of 0 switches it off. */
  rateLimit: {
    enabled: boolean;
    /** Every operation, per user (per client address when anonymous). */
    default: RateLimitSetting;
    /** login, register, refreshTokens: per client address. */
    auth: RateLimitSetting;
    /** login attempts per account name (username or email), across addresses. */
    loginPerAccount: RateLimitSetting;
    /** Game-master operations (act, talkToNpc, generateQuest): per user. */
    gm: RateLimitSetting;
  };
  ws: {
    connectionInitTimeoutMs: number;
    maxSubscriptionsPerConnection: number;
    /** Per instance: each instance counts its own sockets. */
    maxConnectionsPerUser: number;
    /** How often an open socket's session is re-checked (logout on another instance, expiry). */
    authCheckIntervalMs: number;
  };
  llm: {
    apiKey?: string;
    baseUrl?: string;
    /** Default model for every purpose. */
    model: string;
    /** Overrides for turns, dialogue and descriptions; quest writing; summaries. */
    narrationModel?: string;
    questModel?: string;
    summaryModel?: string;
    /** One HTTP attempt; a call with retries never runs past the caller's deadline either. */
    timeoutMs: number;
    maxRetries: number;
    /** Exponential backoff base and cap (full jitter). */
    retryBaseMs: number;
    retryMaxMs: number;
    /** Consecutive failed calls that open the circuit, and how long it stays open. */
    circuitFailures: number;
    circuitOpenMs: number;
    /** native: OpenAI tool calling; json: a JSON-schema answer for servers without tools. */
    toolMode: 'native' | 'json';
    /** Tokens per user per UTC day; 0 means unlimited. */
    dailyTokenBudget: number;
  };
  game: {
    maxPlayersPerUser: number;
  };
  /** GraphQL response cache (src/common/cache): off only to measure without it. */
  responseCache: { enabled: boolean };
  /** GET /metrics: open on the app port unless disabled; a bearer token when one is set. */
  metrics: { enabled: boolean; token?: string };
  /** Game-master turns (act): the deadline and the per-turn caps on what the model may change. */
  gameMaster: {
    /** A turn answers within this many ms (model included; the offline game master fills in). */
    turnDeadlineMs: number;
    inputMaxLength: number;
    narrativeMaxLength: number;
    /** Tool calls applied per turn; the rest are rejected. */
    maxToolCalls: number;
    /** Experience and gold a turn may grant, per character level. */
    experiencePerLevel: number;
    goldPerLevel: number;
    /** Item units a turn may give. */
    maxItems: number;
    /** Recent turns quoted in the prompt; older ones live in the rolling summary. */
    historyTurns: number;
    /** Estimated tokens of unsummarised history past which older turns are summarised. */
    historyTokenBudget: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const MIN_SECRET_LENGTH = 32;

/** Reads and validates every variable; throws one ConfigError naming all the bad ones. */
export function loadConfig(env: Env = process.env): { config: AppConfig; warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  const read = new Reader(env, problems);

  const nodeEnv = read.oneOf(
    'NODE_ENV',
    ['development', 'production', 'test'] as const,
    'development',
  );
  const isProduction = nodeEnv === 'production';
  const relaxed = nodeEnv !== 'production';

  const databaseUrl = read.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const redisUrl = read.url('REDIS_URL', ['redis:', 'rediss:']);

  let jwtSecret = read.string('JWT_SECRET');
  let jwtSecretGenerated = false;
  if (jwtSecret !== undefined && jwtSecret.length < MIN_SECRET_LENGTH) {
    if (nodeEnv === 'development') {
      warnings.push(
        `JWT_SECRET is shorter than ${MIN_SECRET_LENGTH} characters; acceptable only in development`,
      );
    } else {
      problems.push(`JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
    }
  }
  if (jwtSecret === undefined) {
    if (nodeEnv === 'development') {
      jwtSecret = randomBytes(48).toString('base64url');
      jwtSecretGenerated = true;
      warnings.push(
        'JWT_SECRET is not set: generated a random one for this process, so tokens will not survive a restart',
      );
    } else {
      problems.push(
        `JWT_SECRET is required when NODE_ENV=${nodeEnv} (at least ${MIN_SECRET_LENGTH} characters)`,
      );
    }
  }

  const playground = read.bool('GRAPHQL_PLAYGROUND', !isProduction);
  const config: AppConfig = {
    nodeEnv,
    isProduction,
    host: read.string('HOST') ?? '0.0.0.0',
    port: read.int('PORT', 3000, 0, 65535),
    logLevel: read.oneOf('LOG_LEVEL', ['error', 'warn', 'log', 'debug', 'verbose'] as const, 'log'),
    database: {
      url: databaseUrl,
      dataDir: resolve(read.string('DATA_DIR') ?? './.data'),
      poolSize: read.int('DB_POOL_SIZE', 10, 1, 200),
      migrateOnStart: read.bool('MIGRATE_ON_START', false),
      connectTimeoutMs: read.int('DB_CONNECT_TIMEOUT_MS', 5_000, 100, 120_000),
    },
    redis: {
      url: redisUrl,
      timeoutMs: read.int('CACHE_TIMEOUT_MS', 250, 10, 10_000),
      keyPrefix: read.string('REDIS_KEY_PREFIX') ?? 'lm',
    },
    auth: {
      jwtSecret: jwtSecret ?? '',
      jwtSecretGenerated,
      accessTokenTtlSeconds: read.int('JWT_ACCESS_TTL', 900, 10, 86_400),
      refreshTokenTtlSeconds: read.int('JWT_REFRESH_TTL', 30 * 86_400, 60, 365 * 86_400),
    },
    graphql: {
      playground,
      introspection: read.bool('GRAPHQL_INTROSPECTION', relaxed || playground),
      maxDepth: read.int('GRAPHQL_MAX_DEPTH', 12, 2, 100),
      maxAliases: read.int('GRAPHQL_MAX_ALIASES', 30, 0, 1000),
      maxTokens: read.int('GRAPHQL_MAX_TOKENS', 2000, 100, 100_000),
      maxCost: read.int('GRAPHQL_MAX_COST', 5000, 10, 10_000_000),
      hideSuggestions: read.bool('GRAPHQL_HIDE_SUGGESTIONS', isProduction),
    },
    http: {
      bodyLimitBytes: read.int('HTTP_BODY_LIMIT', 100 * 1024, 1024, 64 * 1024 * 1024),
      trustProxy: read.trustProxy('TRUST_PROXY'),
      corsOrigins: read.list('CORS_ORIGINS'),
    },
    rateLimit: {
      enabled: read.bool('RATE_LIMIT_ENABLED', true),
      default: read.rateLimit('RATE_LIMIT_DEFAULT', 600, 60),
      auth: read.rateLimit('RATE_LIMIT_AUTH', 10, 60),
      loginPerAccount: read.rateLimit('RATE_LIMIT_LOGIN_PER_ACCOUNT', 10, 300),
      gm: read.rateLimit('RATE_LIMIT_GM', 20, 60),
    },
    ws: {
      connectionInitTimeoutMs: read.int('WS_CONNECTION_INIT_TIMEOUT_MS', 3_000, 100, 60_000),
      maxSubscriptionsPerConnection: read.int('WS_MAX_SUBSCRIPTIONS_PER_CONNECTION', 20, 1, 1000),
      maxConnectionsPerUser: read.int('WS_MAX_CONNECTIONS_PER_USER', 10, 1, 10_000),
      authCheckIntervalMs: read.int('WS_AUTH_CHECK_INTERVAL_MS', 30_000, 100, 3_600_000),
    },
    llm: {
      apiKey: read.string('OPENAI_API_KEY'),
      baseUrl: read.url('OPENAI_BASE_URL', ['http:', 'https:']),
      model: read.string('OPENAI_MODEL') ?? 'gpt-4o-mini',
      narrationModel: read.string('OPENAI_NARRATION_MODEL'),
      questModel: read.string('OPENAI_QUEST_MODEL'),
      summaryModel: read.string('OPENAI_SUMMARY_MODEL'),
      timeoutMs: read.int('LLM_TIMEOUT_MS', 20_000, 50, 600_000),
      maxRetries: read.int('LLM_MAX_RETRIES', 2, 0, 10),
      retryBaseMs: read.int('LLM_RETRY_BASE_MS', 250, 1, 60_000),
      retryMaxMs: read.int('LLM_RETRY_MAX_MS', 4_000, 1, 300_000),
      circuitFailures: read.int('LLM_CIRCUIT_FAILURES', 5, 1, 1000),
      circuitOpenMs: read.int('LLM_CIRCUIT_OPEN_MS', 30_000, 10, 3_600_000),
      toolMode: read.oneOf('LLM_TOOL_MODE', ['native', 'json'] as const, 'native'),
      dailyTokenBudget: read.int('LLM_DAILY_TOKEN_BUDGET', 200_000, 0, 1_000_000_000),
    },
    game: {
      maxPlayersPerUser: read.int('MAX_PLAYERS_PER_USER', 10, 1, 1000),
    },
    responseCache: { enabled: read.bool('GRAPHQL_CACHE', true) },
    metrics: {
      enabled: read.bool('METRICS_ENABLED', true),
      token: read.string('METRICS_TOKEN'),
    },
    gameMaster: {
      turnDeadlineMs: read.int('LLM_TURN_DEADLINE_MS', 30_000, 200, 600_000),
      inputMaxLength: read.int('GM_INPUT_MAX_LENGTH', 1000, 1, 10_000),
      narrativeMaxLength: read.int('GM_NARRATIVE_MAX_LENGTH', 8000, 100, 100_000),
      maxToolCalls: read.int('GM_MAX_TOOL_CALLS', 8, 0, 100),
      experiencePerLevel: read.int('GM_MAX_EXPERIENCE_PER_LEVEL', 25, 0, 10_000),
      goldPerLevel: read.int('GM_MAX_GOLD_PER_LEVEL', 10, 0, 10_000),
      maxItems: read.int('GM_MAX_ITEMS', 3, 0, 100),
      historyTurns: read.int('GM_HISTORY_TURNS', 6, 0, 50),
      historyTokenBudget: read.int('GM_HISTORY_TOKEN_BUDGET', 1500, 100, 100_000),
    },
  };

  if (config.metrics.token !== undefined && config.metrics.token.length < 16)
    problems.push('METRICS_TOKEN must be at least 16 characters');
  if (problems.length > 0) throw new ConfigError(problems);
  return { config, warnings };
}

/** Collects a problem per bad variable instead of stopping at the first one. */
class Reader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  string(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || value < min || value > max) {
      this.problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.string(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
    return fallback;
  }

  /** A comma-separated list; empty when unset. */
  list(name: string): string[] {
    return (this.string(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  }

  /** `<NAME>` calls per `<NAME>_WINDOW` seconds. */
  rateLimit(name: string, limit: number, windowSeconds: number): RateLimitSetting {
    return {
      limit: this.int(name, limit, 0, 1_000_000_000),
      windowSeconds: this.int(`${name}_WINDOW`, windowSeconds, 1, 86_400),
    };
  }

  /**
   * A hop count or the proxies' addresses. "true" (trust any peer) is refused:
   * it would let every client choose its own address through X-Forwarded-For.
   */
  trustProxy(name: string): false | number | string[] {
    const raw = this.string(name);
    if (raw === undefined || ['false', '0', 'off', 'no'].includes(raw.toLowerCase())) return false;
    if (/^\d+$/.test(raw)) return this.int(name, 0, 0, 10) || false;
    const entries = this.list(name);
    const bad = entries.filter((entry) => !isTrustedProxyEntry(entry));
    if (bad.length > 0 || entries.length === 0) {
      this.problems.push(
        `${name} must be a hop count or a list of proxy addresses/CIDRs (loopback, linklocal, uniquelocal allowed); got "${raw}"`,
      );
      return false;
    }
    return entries;
  }

  url(name: string, protocols: string[]): string | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    try {
      const url = new URL(raw);
      if (!protocols.includes(url.protocol)) throw new Error('protocol');
      return raw;
    } catch {
      // The value may hold a password: name the variable, never echo it.
      this.problems.push(
        `${name} must be a ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URL`,
      );
      return undefined;
    }
  }
}
