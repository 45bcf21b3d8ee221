import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { OperationNames } from '../src/infra/observability/operation-names';
import { PASSWORD, registerUser } from './support/factories';
import { bootTestApp, onRealServers, TEST_JWT_SECRET, TestApp } from './support/test-app';
import { overSocket, socketClient } from './support/ws-ops';
import { deadPort } from './support/ports';

/** The value of one sample line of the Prometheus text, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith(`${name}{`) && wanted.every((w) => l.slice(0, l.indexOf('}')).includes(w)),
    );
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('observability', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await bootTestApp();
  }, 60_000);
  afterAll(() => app.close());

  describe('GET /metrics', () => {
    it('exposes operation latency by name, errors by code, cache lookups and the DB pool', async () => {
      const user = await registerUser(app);
      await app.gql('query WhoAmI { me { id } }', {}, user.accessToken);
      await app.gql('query WhoAmI { me { id } }', {}, user.accessToken);
      const broken = await app.gql('query BrokenItem { item(id: "not-a-uuid") { id } }');
      expect(broken.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
      await app.gql('{ items(first: 1) { edges { cursor } } }');

      const res = await request(app.url).get('/metrics');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      const text = res.text;
      const histogram = 'loremaster_graphql_operation_duration_seconds_count';
      expect(sample(text, histogram, { operation: 'WhoAmI', type: 'query' })).toBe(2);
      expect(sample(text, histogram, { operation: 'BrokenItem', type: 'query' })).toBe(1);
      expect(sample(text, histogram, { operation: 'anonymous', type: 'query' })).toBe(1);
      expect(
        sample(text, 'loremaster_graphql_errors_total', { code: 'BAD_USER_INPUT' }),
      ).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'loremaster_cache_lookups_total', { result: 'miss' })).toBeGreaterThan(0);
      expect(sample(text, 'loremaster_db_pool_connections', { state: 'max' })).toBeGreaterThan(0);
      expect(sample(text, 'loremaster_db_pool_connections', { state: 'used' })).toBeDefined();
      expect(sample(text, 'loremaster_db_pool_connections', { state: 'pending' })).toBe(0);
      expect(text).toContain('loremaster_process_resident_memory_bytes');
    });

    it('counts operations sent over the WebSocket in the same histogram and error counter', async () => {
      const user = await registerUser(app);
      const errorsBefore = async (code: string) =>
        sample((await request(app.url).get('/metrics')).text, 'loremaster_graphql_errors_total', {
          code,
        }) ?? 0;
      const badInput = await errorsBefore('BAD_USER_INPUT');
      const parseFailed = await errorsBefore('GRAPHQL_PARSE_FAILED');
      const client = socketClient(app.url, user.accessToken);
      try {
        const me = await overSocket(client, 'query SocketWhoAmI { me { id } }');
        expect(me.data?.me.id).toBe(user.id);
        const broken = await overSocket(
          client,
          'query SocketBroken { item(id: "not-a-uuid") { id } }',
        );
        expect(broken.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
        const unparsable = await overSocket(client, 'query { nope');
        expect(unparsable.errors?.[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
      } finally {
        await client.dispose();
      }
      const text = (await request(app.url).get('/metrics')).text;
      const histogram = 'loremaster_graphql_operation_duration_seconds_count';
      expect(sample(text, histogram, { operation: 'SocketWhoAmI', type: 'query' })).toBe(1);
      expect(sample(text, histogram, { operation: 'SocketBroken', type: 'query' })).toBe(1);
      expect(sample(text, 'loremaster_graphql_errors_total', { code: 'BAD_USER_INPUT' })).toBe(
        badInput + 1,
      );
      expect(
        sample(text, 'loremaster_graphql_errors_total', { code: 'GRAPHQL_PARSE_FAILED' }),
      ).toBe(parseFailed + 1);
    });

    it('counts an unparsable document under "invalid" with its GraphQL-layer code', async () => {
      await app.gql('query { nope');
      const text = (await request(app.url).get('/metrics')).text;
      expect(
        sample(text, 'loremaster_graphql_operation_duration_seconds_count', {
          operation: 'invalid',
        }),
      ).toBeGreaterThanOrEqual(1);
      expect(
        sample(text, 'loremaster_graphql_errors_total', { code: 'GRAPHQL_PARSE_FAILED' }),
      ).toBeGreaterThanOrEqual(1);
    });
  });

  describe('request ids', () => {
    it('echoes a sane x-request-id and replaces anything else with a fresh one', async () => {
      const kept = await request(app.url).get('/health/live').set('x-request-id', 'req-42.a_b:c');
      expect(kept.headers['x-request-id']).toBe('req-42.a_b:c');
      for (const bad of ['has space', 'x'.repeat(200), '"},{"level":60', 'a/b']) {
        const res = await request(app.url).get('/health/live').set('x-request-id', bad);
        expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      }
      const fresh = await request(app.url).get('/health/live');
      expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('health', () => {
    it('answers liveness and readiness, keeping GET /health as it was', async () => {
      const live = await request(app.url).get('/health/live');
      expect(live.status).toBe(200);
      expect(live.body).toEqual({ status: 'ok' });
      const ready = await request(app.url).get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ status: 'ok', checks: { database: 'ok', cache: 'ok' } });
      const health = await request(app.url).get('/health');
      expect(health.status).toBe(200);
      expect(Object.keys(health.body.checks).sort()).toEqual(['cache', 'database', 'llm']);
    });
  });
});

describe('observability settings', () => {
  it('guards /metrics with a bearer token when METRICS_TOKEN is set', async () => {
    const token = 'metrics-token-0123456789';
    const guarded = await bootTestApp({ METRICS_TOKEN: token });
    try {
      expect((await request(guarded.url).get('/metrics')).status).toBe(401);
      const wrong = await request(guarded.url)
        .get('/metrics')
        .set('authorization', 'Bearer metrics-token-9876543210');
      expect(wrong.status).toBe(401);
      const right = await request(guarded.url)
        .get('/metrics')
        .set('authorization', `Bearer ${token}`);
      expect(right.status).toBe(200);
      expect(right.text).toContain('loremaster_graphql_operation_duration_seconds');
    } finally {
      await guarded.close();
    }
  }, 60_000);

  it('serves no /metrics with METRICS_ENABLED=false', async () => {
    const off = await bootTestApp({ METRICS_ENABLED: 'false' });
    try {
      expect((await request(off.url).get('/metrics')).status).toBe(404);
    } finally {
      await off.close();
    }
  }, 60_000);

  it('keeps readiness at 200 with the cache "degraded" while Redis is down', async () => {
    const degraded = await bootTestApp({
      REDIS_URL: `redis://127.0.0.1:${await deadPort()}`,
      CACHE_TIMEOUT_MS: '200',
    });
    try {
      const ready = await request(degraded.url).get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({
        status: 'degraded',
        checks: { database: 'ok', cache: 'degraded' },
      });
      expect((await request(degraded.url).get('/health/live')).status).toBe(200);
    } finally {
      await degraded.close();
    }
  }, 60_000);

  (onRealServers() ? it.skip : it)(
    'fails readiness (503) but not liveness while the database is down',
    async () => {
      const doomed = await bootTestApp();
      try {
        await doomed.running.embedded!.stop();
        const ready = await request(doomed.url).get('/health/ready');
        expect(ready.status).toBe(503);
        expect(ready.body.status).toBe('down');
        expect(ready.body.checks.database).toBe('down');
        const live = await request(doomed.url).get('/health/live');
        expect(live.status).toBe(200);
      } finally {
        await doomed.running.app.close();
      }
    },
    60_000,
  );

  it('bounds operation-name labels: anonymous, invalid names and past 200 names are grouped', () => {
    const names = new OperationNames();
    expect(names.label(undefined)).toBe('anonymous');
    expect(names.label('Me')).toBe('Me');
    expect(names.label('bad name')).toBe('other');
    for (let i = 0; i < 300; i++) names.label(`Op${i}`);
    expect(names.label('Op150')).toBe('Op150');
    expect(names.label('Op250')).toBe('other');
    expect(names.label('Me')).toBe('Me');
  });
});

/** The real entry point in a child process, its stdout collected. */
function launch(env: Record<string, string | undefined>): {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  exit: Promise<number | null>;
} {
  const base = { ...process.env };
  for (const key of ['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'NODE_ENV', 'PORT', 'LOG_LEVEL'])
    delete base[key];
  const child = spawn(process.execPath, ['scripts/run-ts.js', 'src/main.ts'], {
    cwd: join(__dirname, '..'),
    env: { ...base, ...env } as NodeJS.ProcessEnv,
  });
  let text = '';
  child.stdout.on('data', (chunk) => (text += chunk));
  child.stderr.on('data', (chunk) => (text += chunk));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => text, exit };
}

describe('logs', () => {
  it('are JSON lines with the request id and operation name, and never a password or token', async () => {
    const dataDir = mkdtempSync(join(process.env.LOREMASTER_TEST_ROOT ?? '/tmp', 'logs-'));
    if (!process.env.DATABASE_URL && process.env.LOREMASTER_TEST_TEMPLATE) {
      cpSync(process.env.LOREMASTER_TEST_TEMPLATE, dataDir, { recursive: true });
    }
    const server = launch({
      NODE_ENV: 'test',
      JWT_SECRET: TEST_JWT_SECRET,
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      DATABASE_URL: process.env.DATABASE_URL,
      REDIS_URL: process.env.REDIS_URL,
      REDIS_KEY_PREFIX: process.env.REDIS_KEY_PREFIX,
      // The run's other files count on the same Redis rate-limit keys: no limit here.
      RATE_LIMIT_ENABLED: 'false',
      // Debug: the level that also logs each operation's (scrubbed) variables.
      LOG_LEVEL: 'debug',
    });
    try {
      const deadline = Date.now() + 45_000;
      let port: string | undefined;
      while (!port && Date.now() < deadline) {
        port = /listening on [^:]+:(\d+)/.exec(server.stdout())?.[1];
        if (!port) await new Promise((r) => setTimeout(r, 50));
      }
      expect(port).toBeDefined();
      const url = `http://127.0.0.1:${port}`;
      const gql = async (body: object, headers: Record<string, string> = {}) => {
        const res = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });
        return (await res.json()) as { data: any };
      };

      const username = `logs${Date.now().toString(36)}`;
      const registered = await gql({
        query: `mutation SignUp($input: RegisterInput!) { register(input: $input) { accessToken refreshToken } }`,
        variables: { input: { username, email: `${username}@example.com`, password: PASSWORD } },
      });
      const { accessToken, refreshToken } = registered.data.register;
      await gql({
        query: `mutation Renew($refreshToken: String!) { refreshTokens(refreshToken: $refreshToken) { accessToken } }`,
        variables: { refreshToken },
      });
      const me = await gql(
        { query: 'query Me { me { username } }' },
        { authorization: `Bearer ${accessToken}`, 'x-request-id': 'logs-test-1' },
      );
      expect(me.data.me.username).toBe(username);
      await new Promise((r) => setTimeout(r, 300)); // let the lines reach stdout

      const lines = server
        .stdout()
        .split('\n')
        .filter((line) => line.startsWith('{'));
      const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(records.length).toBeGreaterThan(5);
      // Nest's own messages go through the same JSON logger.
      expect(records.some((r) => /listening on/.test(String(r.msg)))).toBe(true);
      const completed = records.find(
        (r) => r.reqId === 'logs-test-1' && r.msg === 'request completed',
      );
      expect(completed).toMatchObject({ operation: 'Me', status: 200, path: '/graphql' });
      const debugLine = records.find(
        (r) => r.operation === 'SignUp' && r.msg === 'graphql operation',
      );
      expect(debugLine).toMatchObject({ variables: { input: { password: '[redacted]' } } });

      const all = server.stdout();
      for (const secret of [PASSWORD, accessToken, refreshToken, TEST_JWT_SECRET])
        expect(all).not.toContain(secret);
    } finally {
      server.child.kill('SIGTERM');
      await server.exit;
    }
  }, 90_000);
});
