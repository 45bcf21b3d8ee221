import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { startApp } from '../src/bootstrap';
import { loadConfig } from '../src/config/env';
import { registerUser, PASSWORD } from './support/factories';
import { bootTestApp, onRealServers, TEST_JWT_SECRET, TestApp } from './support/test-app';

describe('database', () => {
  describe('schema', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await bootTestApp();
    });
    afterAll(() => app.close());

    it('is exactly what the entities describe once the committed migrations ran', async () => {
      const diff = await app.orm.schema.getUpdateSchemaSQL({ wrap: false, safe: false });
      expect(diff.trim()).toBe('');
    });

    it('keeps the rules the code relies on as CHECK constraints', async () => {
      const checks = await app.sql<{ name: string }>(
        `select conname as name from pg_constraint where contype = 'c' and conrelid = 'players'::regclass`,
      );
      expect(checks.map((c) => c.name)).toEqual(
        expect.arrayContaining(['players_health_range', 'players_mana_range']),
      );
    });
  });

  // The embedded engine's own life cycle: first start (initdb + migrations), then a restart on the same folder.
  (onRealServers() ? describe.skip : describe)('embedded PGlite', () => {
    it('starts on an empty folder and keeps the world across a restart', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'loremaster-embedded-'));
      const env = {
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'error',
        JWT_SECRET: TEST_JWT_SECRET,
        DATA_DIR: dataDir,
      };
      const { config } = loadConfig(env);
      expect(config.database.url).toBeUndefined();

      const first = await startApp(config);
      const orm = first.app.get<MikroORM>(MikroORM);
      // PGlite is a single session: the pool must not hand out a second connection.
      expect(orm.config.get('pool')).toMatchObject({ max: 1 });
      const user = await registerUser({
        gql: (q: string, v?: Record<string, unknown>) => gqlAt(first.url, q, v),
      } as never);
      await first.close();

      const second = await startApp(config);
      try {
        const res = await gqlAt(
          second.url,
          `mutation($i: LoginInput!) { login(input: $i) { user { id } } }`,
          {
            i: { login: user.username, password: PASSWORD },
          },
        );
        expect(res.data?.login.user.id).toBe(user.id);
      } finally {
        await second.close();
      }
    }, 180_000); // initdb is seconds of WebAssembly CPU work, much longer on a busy machine
  });
});

async function gqlAt(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<any> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return res.json();
}
