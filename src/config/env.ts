import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';

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
  };
  llm: {
    apiKey?: string;
    baseUrl?: string;
    model?: string;
  };
  game: {
    maxPlayersPerUser: number;
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
    },
    llm: {
      apiKey: read.string('OPENAI_API_KEY'),
      baseUrl: read.url('OPENAI_BASE_URL', ['http:', 'https:']),
      model: read.string('OPENAI_MODEL'),
    },
    game: {
      maxPlayersPerUser: read.int('MAX_PLAYERS_PER_USER', 10, 1, 1000),
    },
  };

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
