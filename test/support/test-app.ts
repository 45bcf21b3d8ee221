import { cpSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import request from 'supertest';
import { startApp, RunningApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/env';
import { EVENT_BUS } from '../../src/infra/pubsub/pubsub.module';
import type { EventBus } from '../../src/infra/pubsub/event-bus';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-0123456789abcdef';

export interface GqlResult<T = Record<string, any>> {
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions: Record<string, any> }[];
}

export interface TestApp {
  url: string;
  running: RunningApp;
  orm: MikroORM;
  bus: EventBus;
  /** POST /graphql and return the parsed body (HTTP status is asserted to be 200 or 400). */
  gql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<GqlResult<T>>;
  /** A raw SQL query against the app's database, for asserting state after a refusal. */
  sql<T = Record<string, any>>(query: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** Whether this run targets the real servers (DATABASE_URL set by global-setup) or the embedded defaults. */
export const onRealServers = () => Boolean(process.env.DATABASE_URL);

/**
 * Boots the real server for one test file on a free port: a private copy of the
 * migrated PGlite template (embedded run) or the run's PostgreSQL database.
 */
export async function bootTestApp(env: Record<string, string | undefined> = {}): Promise<TestApp> {
  const root = process.env.LOREMASTER_TEST_ROOT ?? mkdtempSync('/tmp/loremaster-test-');
  const dataDir = mkdtempSync(join(root, 'app-'));
  if (!process.env.DATABASE_URL && process.env.LOREMASTER_TEST_TEMPLATE) {
    cpSync(process.env.LOREMASTER_TEST_TEMPLATE, dataDir, { recursive: true });
  }
  const { config } = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'error',
    JWT_SECRET: TEST_JWT_SECRET,
    DATA_DIR: dataDir,
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL,
    REDIS_KEY_PREFIX: process.env.REDIS_KEY_PREFIX,
    DB_POOL_SIZE: '10',
    // Suites log in and register far more often than a person: generous limits,
    // still enforced (test/rate-limit.e2e-spec.ts sets small ones).
    RATE_LIMIT_DEFAULT: '100000',
    RATE_LIMIT_AUTH: '100000',
    RATE_LIMIT_LOGIN_PER_ACCOUNT: '100000',
    RATE_LIMIT_GM: '100000',
    ...env,
  });
  const running = await startApp(config);
  const orm = running.app.get<MikroORM>(MikroORM);
  const bus = running.app.get<EventBus>(EVENT_BUS);
  return {
    url: running.url,
    running,
    orm,
    bus,
    async gql(query, variables, token) {
      let req = request(running.url).post('/graphql').set('content-type', 'application/json');
      if (token) req = req.set('authorization', `Bearer ${token}`);
      const res = await req.send({ query, variables });
      if (res.status !== 200 && res.status !== 400) {
        throw new Error(`unexpected HTTP ${res.status}: ${res.text}`);
      }
      return res.body;
    },
    async sql(query, params = []) {
      return orm.em.getConnection().execute(query, params);
    },
    close: () => running.close(),
  };
}
