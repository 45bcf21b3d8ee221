import Redis from 'ioredis';
import request from 'supertest';
import { MetricsService } from '../src/infra/metrics/metrics.service';
import {
  AUTH_FIELDS,
  createPlayer,
  errorCode,
  PASSWORD,
  registerUser,
  TestUser,
  uniqueName,
} from './support/factories';
import { bootTestApp, GqlResult, TestApp } from './support/test-app';
import { overSocket, socketClient } from './support/ws-ops';
import { deadPort } from './support/ports';

const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`;
const ME = `{ me { id } }`;

/** Each app counts under its own prefix: the run's other files share the same Redis. */
const ownPrefix = () => `${process.env.REDIS_KEY_PREFIX ?? 'lm-test'}-rl-${uniqueName('')}`;

/** POST /graphql as if from `ip` (a proxy's X-Forwarded-For); the raw response, status and headers included. */
function post(
  app: TestApp,
  body: { query: string; variables?: Record<string, unknown> },
  options: { ip?: string; token?: string } = {},
) {
  let req = request(app.url).post('/graphql').set('content-type', 'application/json');
  if (options.ip) req = req.set('x-forwarded-for', options.ip);
  if (options.token) req = req.set('authorization', `Bearer ${options.token}`);
  return req.send(body);
}

async function gqlFrom(
  app: TestApp,
  ip: string,
  query: string,
  variables?: Record<string, unknown>,
  token?: string,
): Promise<GqlResult> {
  const res = await post(app, { query, variables }, { ip, token });
  expect(res.status).toBe(200);
  return res.body as GqlResult;
}

const login = (app: TestApp, ip: string, name: string, password = 'not-the-password-123') =>
  gqlFrom(app, ip, LOGIN, { input: { login: name, password } });

async function hits(app: TestApp, limit: string): Promise<number> {
  const metric = await app.running.app.get(MetricsService).rateLimitHits.get();
  return metric.values.find((v) => v.labels.limit === limit)?.value ?? 0;
}

let nextIp = 1;
/** A fresh client address per test: each test counts in its own buckets. */
const freshIp = () => `203.0.113.${nextIp++}`;

describe('rate limits', () => {
  describe('behind a trusted proxy (TRUST_PROXY=loopback)', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await bootTestApp({
        TRUST_PROXY: 'loopback',
        RATE_LIMIT_DEFAULT: '10',
        RATE_LIMIT_AUTH: '3',
        RATE_LIMIT_LOGIN_PER_ACCOUNT: '4',
        RATE_LIMIT_GM: '2',
        REDIS_KEY_PREFIX: ownPrefix(),
      });
    });
    afterAll(() => app.close());

    /** Registers from an address of its own, so the auth limit is not spent on set-up. */
    async function newUser(): Promise<TestUser> {
      const username = uniqueName();
      const res = await gqlFrom(
        app,
        freshIp(),
        `mutation($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`,
        { input: { username, email: `${username}@example.com`, password: PASSWORD } },
      );
      expect(res.errors).toBeUndefined();
      const payload = res.data!.register;
      return {
        ...payload.user,
        accessToken: payload.accessToken,
        refreshToken: payload.refreshToken,
      };
    }

    it('refuses the fourth login from one address RATE_LIMITED with retryAfter, over HTTP 200 with Retry-After', async () => {
      const ip = freshIp();
      const before = await hits(app, 'auth');
      for (let i = 0; i < 3; i++) {
        expect(errorCode(await login(app, ip, uniqueName()))).toBe('UNAUTHENTICATED');
      }
      const res = await post(
        app,
        { query: LOGIN, variables: { input: { login: 'x', password: 'y' } } },
        { ip },
      );
      expect(res.status).toBe(200);
      const error = res.body.errors[0];
      expect(error.extensions.code).toBe('RATE_LIMITED');
      expect(error.extensions.retryAfter).toBeGreaterThanOrEqual(1);
      expect(error.extensions.retryAfter).toBeLessThanOrEqual(60);
      expect(Number.isInteger(error.extensions.retryAfter)).toBe(true);
      expect(res.headers['retry-after']).toBe(String(error.extensions.retryAfter));
      expect(error.message).not.toMatch(/internal/i);
      expect(await hits(app, 'auth')).toBe(before + 1);
      // Another address is served.
      expect(errorCode(await login(app, freshIp(), uniqueName()))).toBe('UNAUTHENTICATED');
    });

    it('counts register and refreshTokens under the same limit', async () => {
      const ip = freshIp();
      await login(app, ip, uniqueName());
      const refresh = await gqlFrom(
        app,
        ip,
        `mutation { refreshTokens(refreshToken: "nope") { accessToken } }`,
      );
      expect(errorCode(refresh)).toBe('UNAUTHENTICATED');
      const username = uniqueName();
      const register = `mutation($input: RegisterInput!) { register(input: $input) { accessToken } }`;
      const input = { username, email: `${username}@example.com`, password: PASSWORD };
      expect((await gqlFrom(app, ip, register, { input })).errors).toBeUndefined();
      expect(
        errorCode(
          await gqlFrom(app, ip, register, { input: { ...input, username: uniqueName() } }),
        ),
      ).toBe('RATE_LIMITED');
    });

    it('counts every aliased login of one document', async () => {
      const user = await newUser();
      const attempts = [1, 2, 3, 4]
        .map(
          (i) =>
            `a${i}: login(input: { login: "${user.username}", password: "${PASSWORD}" }) { accessToken }`,
        )
        .join('\n');
      const res = await gqlFrom(app, freshIp(), `mutation { ${attempts} }`);
      expect(res.errors!.map((e) => `${e.path![0]}:${e.extensions.code}`)).toEqual([
        'a4:RATE_LIMITED',
      ]);
    });

    it('limits login attempts per account across addresses (credential stuffing)', async () => {
      const victim = await newUser();
      for (let i = 0; i < 4; i++) {
        expect(errorCode(await login(app, freshIp(), victim.username))).toBe('UNAUTHENTICATED');
      }
      // A fifth address, the right password: the account is cooling down all the same.
      const res = await login(app, freshIp(), victim.username.toUpperCase(), PASSWORD);
      expect(errorCode(res)).toBe('RATE_LIMITED');
      expect(await hits(app, 'loginPerAccount')).toBeGreaterThanOrEqual(1);
      const other = await newUser();
      expect((await login(app, freshIp(), other.username, PASSWORD)).errors).toBeUndefined();
    });

    it('counts a signed-in caller by user, once per request, whatever the address', async () => {
      const alice = await newUser();
      for (let i = 0; i < 8; i++) {
        expect((await gqlFrom(app, freshIp(), ME, {}, alice.accessToken)).errors).toBeUndefined();
      }
      // Two root fields, one request: both answered (the default limit counts requests).
      const both = await gqlFrom(
        app,
        freshIp(),
        `{ a: me { id } b: me { id } }`,
        {},
        alice.accessToken,
      );
      expect(both.errors).toBeUndefined();
      expect(both.data).toEqual({ a: { id: alice.id }, b: { id: alice.id } });
      expect((await gqlFrom(app, freshIp(), ME, {}, alice.accessToken)).errors).toBeUndefined();
      const limited = await gqlFrom(app, freshIp(), ME, {}, alice.accessToken);
      expect(errorCode(limited)).toBe('RATE_LIMITED');
      expect(limited.errors![0].extensions.retryAfter).toBeGreaterThanOrEqual(1);
      // Bob, calling from the very same address, has his own budget.
      const bob = await newUser();
      const ip = freshIp();
      expect((await gqlFrom(app, ip, ME, {}, bob.accessToken)).errors).toBeUndefined();
    });

    it('puts generateQuest under the stricter game-master limit', async () => {
      const user = await newUser();
      const player = await createPlayer(app, user);
      const generate = `mutation($p: ID!) { generateQuest(playerId: $p) { id } }`;
      for (let i = 0; i < 2; i++) {
        const ok = await gqlFrom(app, freshIp(), generate, { p: player.id }, user.accessToken);
        expect(ok.errors).toBeUndefined();
      }
      const res = await gqlFrom(app, freshIp(), generate, { p: player.id }, user.accessToken);
      expect(errorCode(res)).toBe('RATE_LIMITED');
      expect(await hits(app, 'gm')).toBeGreaterThanOrEqual(1);
      const offered = await app.sql(`select count(*)::int as n from quests where player_id = ?`, [
        player.id,
      ]);
      expect(offered[0].n).toBe(2);
    });

    it('puts act and talkToNpc under the same game-master limit, by operation name', async () => {
      const user = await newUser();
      const player = await createPlayer(app, user);
      const here = await gqlFrom(
        app,
        freshIp(),
        `query($p: ID!) { player(id: $p) { location { npcs { id } } } }`,
        { p: player.id },
        user.accessToken,
      );
      const npcId = here.data!.player.location.npcs[0]?.id ?? 'nobody';
      const talk = `mutation($p: ID!, $n: ID!) { talkToNpc(playerId: $p, npcId: $n, message: "Hello there") { __typename } }`;
      const act = `mutation($p: ID!) { act(playerId: $p, input: "I look around") { id } }`;
      const first = await gqlFrom(
        app,
        freshIp(),
        talk,
        { p: player.id, n: npcId },
        user.accessToken,
      );
      const second = await gqlFrom(app, freshIp(), act, { p: player.id }, user.accessToken);
      // Whatever the game master answered, neither was limited …
      for (const res of [first, second]) {
        expect(res.errors?.map((e) => e.extensions.code) ?? []).not.toContain('RATE_LIMITED');
      }
      // … and the third game-master call of the window is, whichever operation it is.
      const third = await gqlFrom(
        app,
        freshIp(),
        talk,
        { p: player.id, n: npcId },
        user.accessToken,
      );
      expect(errorCode(third)).toBe('RATE_LIMITED');
    });

    it('counts operations over the WebSocket in the same buckets as HTTP', async () => {
      const carol = await newUser();
      for (let i = 0; i < 5; i++) {
        expect((await gqlFrom(app, freshIp(), ME, {}, carol.accessToken)).errors).toBeUndefined();
      }
      const client = socketClient(app.url, carol.accessToken);
      try {
        for (let i = 0; i < 5; i++) expect((await overSocket(client, ME)).errors).toBeUndefined();
        const res = await overSocket(client, ME);
        expect(res.errors?.[0].extensions.code).toBe('RATE_LIMITED');
        expect(res.errors?.[0].extensions.retryAfter).toBeGreaterThanOrEqual(1);
        // A subscription's subscribe is an operation too.
        const sub = await overSocket(
          client,
          `subscription { gameEvents(playerId: "${carol.id}") { id } }`,
        );
        expect(sub.errors?.[0].extensions.code).toBe('RATE_LIMITED');
      } finally {
        await client.dispose();
      }
    });

    it('reads the WebSocket client address through the trusted proxy too', async () => {
      const ip = freshIp();
      for (let i = 0; i < 3; i++) await login(app, ip, uniqueName());
      const fromIp = socketClient(app.url, undefined, { 'x-forwarded-for': ip });
      const elsewhere = socketClient(app.url, undefined, { 'x-forwarded-for': freshIp() });
      try {
        const input = { login: uniqueName(), password: 'wrong-password-123' };
        expect((await overSocket(fromIp, LOGIN, { input })).errors?.[0].extensions.code).toBe(
          'RATE_LIMITED',
        );
        expect((await overSocket(elsewhere, LOGIN, { input })).errors?.[0].extensions.code).toBe(
          'UNAUTHENTICATED',
        );
      } finally {
        await Promise.all([fromIp.dispose(), elsewhere.dispose()]);
      }
    });
  });

  describe('without a trusted proxy (the default)', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await bootTestApp({ RATE_LIMIT_AUTH: '5', REDIS_KEY_PREFIX: ownPrefix() });
    });
    afterAll(() => app.close());

    it('ignores X-Forwarded-For: 20 logins, each claiming another address, still hit the limit', async () => {
      const codes: string[] = [];
      for (let i = 0; i < 20; i++) {
        codes.push(errorCode(await login(app, `198.51.100.${i + 1}`, uniqueName())));
      }
      expect(codes.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(5);
      expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(15);
      // The socket's spoofed header does not help either.
      const client = socketClient(app.url, undefined, { 'x-forwarded-for': '192.0.2.77' });
      try {
        const input = { login: uniqueName(), password: 'wrong-password-123' };
        expect((await overSocket(client, LOGIN, { input })).errors?.[0].extensions.code).toBe(
          'RATE_LIMITED',
        );
      } finally {
        await client.dispose();
      }
    });
  });

  describe('with Redis unreachable', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await bootTestApp({
        REDIS_URL: `redis://127.0.0.1:${await deadPort()}`,
        CACHE_TIMEOUT_MS: '200',
        RATE_LIMIT_AUTH: '2',
        REDIS_KEY_PREFIX: ownPrefix(),
      });
    });
    afterAll(() => app.close());

    it('keeps answering and still limits, with this instance’s own counters', async () => {
      const user = await registerUser(app);
      expect((await app.gql(ME, {}, user.accessToken)).errors).toBeUndefined();
      expect(errorCode(await login(app, '', user.username, PASSWORD + 'x'))).toBe(
        'UNAUTHENTICATED',
      );
      expect(errorCode(await login(app, '', user.username, PASSWORD))).toBe('RATE_LIMITED');
    });
  });

  const withRedis = process.env.REDIS_URL ? describe : describe.skip;
  withRedis('two instances on one Redis', () => {
    let a: TestApp;
    let b: TestApp;
    const prefix = ownPrefix();
    beforeAll(async () => {
      const env = { RATE_LIMIT_AUTH: '4', REDIS_KEY_PREFIX: prefix };
      [a, b] = await Promise.all([bootTestApp(env), bootTestApp(env)]);
    });
    afterAll(async () => {
      await Promise.all([a?.close(), b?.close()]);
    });

    it('share one counter: four attempts in all, not four on each', async () => {
      const codes: string[] = [];
      for (let i = 0; i < 6; i++)
        codes.push(errorCode(await login(i % 2 ? b : a, '', uniqueName())));
      expect(codes).toEqual([
        'UNAUTHENTICATED',
        'UNAUTHENTICATED',
        'UNAUTHENTICATED',
        'UNAUTHENTICATED',
        'RATE_LIMITED',
        'RATE_LIMITED',
      ]);
      const redis = new Redis(process.env.REDIS_URL!);
      try {
        const keys = await redis.keys(`{${prefix}:rl:auth:*`);
        expect(keys.length).toBeGreaterThan(0);
      } finally {
        redis.disconnect();
      }
    });
  });
});
