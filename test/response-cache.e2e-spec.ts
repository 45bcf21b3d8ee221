import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import request from 'supertest';
import { MetricsService } from '../src/infra/metrics/metrics.service';
import {
  createPlayer,
  PASSWORD,
  registerUser,
  TestUser,
  uniqueCharacterName,
} from './support/factories';
import { countStatements } from './support/statements';
import { bootTestApp, TestApp } from './support/test-app';
import { deadPort } from './support/ports';

const SQUARE = 'millbrook-square';
const TAVERN = 'gilded-tankard';

const MAP = `{ locations { id name region exits { id name } npcs { id name role } playersHere { id characterName level } } }`;
const HERE = `query($id: ID!) { location(id: $id) { id playersHere { id characterName level } } }`;
const ITEMS = `query($first: Int) { items(first: $first) { edges { cursor node { id name weight stats } } pageInfo { hasNextPage endCursor } } }`;
const ITEM = `query($id: ID!) { item(id: $id) { id name description type rarity value weight slot stats effects } }`;
const CREATE_ITEM = `mutation($input: CreateItemInput!) { createItem(input: $input) { id name } }`;
const TRAVEL = `mutation($playerId: ID!, $locationId: ID!) { travel(playerId: $playerId, locationId: $locationId) { id } }`;

/** Lookups counted so far, by result. */
async function lookups(app: TestApp): Promise<Record<string, number>> {
  const metric = await app.running.app.get(MetricsService).cacheLookups.get();
  return Object.fromEntries(metric.values.map((v) => [String(v.labels.result), v.value]));
}

async function registerAdmin(app: TestApp): Promise<TestUser> {
  const user = await registerUser(app);
  await app.sql(`update users set role = 'ADMIN' where id = ?`, [user.id]);
  const res = await app.gql(
    `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`,
    { input: { login: user.username, password: PASSWORD } },
  );
  return { ...user, accessToken: res.data!.login.accessToken };
}

describe('GraphQL response cache', () => {
  let app: TestApp;
  let alice: TestUser;
  beforeAll(async () => {
    // A namespace of its own: on the real servers, other test files write to the same database
    // (characters arriving in the square), and their invalidations would turn the hits that
    // these tests count into misses. This app's own writes still invalidate its entries.
    app = await bootTestApp({
      REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX ?? 'lm'}-rc-${Date.now().toString(36)}`,
    });
    alice = await registerUser(app);
  }, 60_000);
  afterAll(() => app.close());

  it('serves a repeated read without a database statement, the same as uncached', async () => {
    const first = await app.gql(MAP, {}, alice.accessToken);
    expect(first.errors).toBeUndefined();
    const before = await lookups(app);
    let again: unknown;
    const statements = await countStatements(app, async () => {
      const res = await app.gql(MAP, {}, alice.accessToken);
      again = res;
      return res;
    });
    expect(again).toEqual(first);
    expect(statements).toBe(0);
    // The whole query comes from the operation cache: one hit (test/operation-cache.e2e-spec.ts).
    const after = await lookups(app);
    expect((after.hit ?? 0) - (before.hit ?? 0)).toBe(1);
  });

  it('serves the nested fields of a query the operation cache cannot take from their own entries', async () => {
    // `me` declares no tags, so the whole query is never cached; its cached fields still are.
    const withMe = `{ me { id } ${MAP.slice(1)}`;
    const first = await app.gql(withMe, {}, alice.accessToken);
    expect(first.errors).toBeUndefined();
    const before = await lookups(app);
    let again: unknown;
    const statements = await countStatements(app, async () => {
      const res = await app.gql(withMe, {}, alice.accessToken);
      again = res;
      return res;
    });
    expect(again).toEqual(first);
    expect(statements).toBe(1); // `me` itself
    const after = await lookups(app);
    expect((after.hit ?? 0) - (before.hit ?? 0)).toBeGreaterThan(3);
  });

  it('serves the public catalogue and one item from the cache, dates and JSON intact', async () => {
    const page = await app.gql(ITEMS, { first: 5 });
    const id = page.data!.items.edges[0].node.id;
    const one = await app.gql(ITEM, { id });
    expect(await countStatements(app, () => app.gql(ITEMS, { first: 5 }))).toBe(0);
    expect(await app.gql(ITEMS, { first: 5 })).toEqual(page);
    expect(await countStatements(app, () => app.gql(ITEM, { id }))).toBe(0);
    expect(await app.gql(ITEM, { id })).toEqual(one);
    // Other arguments are another entry.
    const three = await app.gql(ITEMS, { first: 3 });
    expect(three.data!.items.edges).toHaveLength(3);
  });

  it('shows a new item to the next catalogue read (createItem invalidates the catalogue)', async () => {
    const admin = await registerAdmin(app);
    const all = () => app.gql(ITEMS, { first: 100 });
    await all();
    await all(); // cached now
    const name = uniqueCharacterName('Aaa Cache Blade');
    const made = await app.gql(
      CREATE_ITEM,
      {
        input: {
          name,
          description: 'Forged to test the cache.',
          type: 'WEAPON',
          rarity: 'COMMON',
          value: 1,
          weight: 1,
          slot: 'MAIN_HAND',
        },
      },
      admin.accessToken,
    );
    expect(made.errors).toBeUndefined();
    const names = (await all()).data!.items.edges.map((e: any) => e.node.name);
    expect(names).toContain(name);
  });

  it('shows a move on playersHere of both places at once (travel invalidates them)', async () => {
    const bob = await registerUser(app);
    const hero = await createPlayer(app, bob);
    const here = async (id: string) =>
      ((await app.gql(HERE, { id }, alice.accessToken)).data!.location.playersHere as any[]).map(
        (p) => p.id,
      );
    expect(await here(SQUARE)).toContain(hero.id);
    expect(await here(TAVERN)).not.toContain(hero.id);
    expect(await countStatements(app, () => app.gql(HERE, { id: SQUARE }, alice.accessToken))).toBe(
      0,
    );

    const moved = await app.gql(TRAVEL, { playerId: hero.id, locationId: TAVERN }, bob.accessToken);
    expect(moved.errors).toBeUndefined();
    expect(await here(SQUARE)).not.toContain(hero.id);
    expect(await here(TAVERN)).toContain(hero.id);

    // Leaving the world (deletePlayer) counts too.
    await app.gql(`mutation($id: ID!) { deletePlayer(id: $id) }`, { id: hero.id }, bob.accessToken);
    expect(await here(TAVERN)).not.toContain(hero.id);
  });

  it('keeps caching reads that no write touched (a move elsewhere leaves them cached)', async () => {
    await app.gql(HERE, { id: 'old-mill' }, alice.accessToken);
    const carol = await registerUser(app);
    const hero = await createPlayer(app, carol);
    await app.gql(TRAVEL, { playerId: hero.id, locationId: TAVERN }, carol.accessToken);
    expect(
      await countStatements(app, () => app.gql(HERE, { id: 'old-mill' }, alice.accessToken)),
    ).toBe(0);
  });
});

describe('GraphQL response cache, switched off', () => {
  it('reads the database every time and counts no lookups (GRAPHQL_CACHE=false)', async () => {
    const app = await bootTestApp({ GRAPHQL_CACHE: 'false' });
    try {
      await app.gql(ITEMS, { first: 5 });
      expect(await countStatements(app, () => app.gql(ITEMS, { first: 5 }))).toBeGreaterThan(0);
      expect(await lookups(app)).toEqual({});
    } finally {
      await app.close();
    }
  }, 60_000);
});

describe('GraphQL response cache with Redis down', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await bootTestApp({
      REDIS_URL: `redis://127.0.0.1:${await deadPort()}`,
      CACHE_TIMEOUT_MS: '200',
    });
  }, 60_000);
  afterAll(() => app.close());

  it('answers every read from the database, quickly, and counts the lookups as errors', async () => {
    const user = await registerUser(app);
    await createPlayer(app, user);
    const started = Date.now();
    for (let i = 0; i < 5; i++) {
      const res = await app.gql(MAP, {}, user.accessToken);
      expect(res.errors).toBeUndefined();
      expect(res.data!.locations.length).toBeGreaterThan(10);
    }
    // Bounded, never hung (failures are remembered for a second: the cache is then skipped).
    expect(Date.now() - started).toBeLessThan(10_000);
    const counted = await lookups(app);
    expect(counted.error).toBeGreaterThan(0);
    expect(counted.hit ?? 0).toBe(0);
  });
});

/** A throwaway redis-server of this test's own (never the machine's), stopped and restarted at will. */
function ownRedis(port: number): { start(): Promise<void>; stop(): Promise<void> } {
  let child: ChildProcess | undefined;
  return {
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
        stdio: 'ignore',
      });
      for (let i = 0; i < 100; i++) {
        const up = await new Promise<boolean>((resolve) => {
          const socket = connect(port, '127.0.0.1', () => {
            socket.end();
            resolve(true);
          });
          socket.on('error', () => resolve(false));
        });
        if (up) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('redis-server did not start');
    },
    async stop() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;

(hasRedisServer ? describe : describe.skip)('GraphQL response cache through a Redis outage', () => {
  it('serves uncached while Redis is away and caches again once it is back, without a restart', async () => {
    const port = await deadPort();
    const redis = ownRedis(port);
    await redis.start();
    const app = await bootTestApp({
      REDIS_URL: `redis://127.0.0.1:${port}`,
      CACHE_TIMEOUT_MS: '200',
    });
    try {
      await app.gql(ITEMS, { first: 5 });
      expect(await countStatements(app, () => app.gql(ITEMS, { first: 5 }))).toBe(0);

      await redis.stop();
      for (let i = 0; i < 3; i++) {
        const res = await app.gql(ITEMS, { first: 5 });
        expect(res.data!.items.edges).toHaveLength(5);
      }
      const ready = await request(app.url).get('/health/ready');
      expect(ready.body.checks.cache).toBe('degraded');

      await redis.start();
      // Back by itself: the client reconnects, lookups resume after the one-second pause.
      let statements = -1;
      for (let i = 0; i < 60 && statements !== 0; i++) {
        await new Promise((r) => setTimeout(r, 250));
        await app.gql(ITEMS, { first: 5 });
        statements = await countStatements(app, () => app.gql(ITEMS, { first: 5 }));
      }
      expect(statements).toBe(0);
      expect((await request(app.url).get('/health/ready')).body.checks.cache).toBe('ok');
    } finally {
      await app.close();
      await redis.stop();
    }
  }, 90_000);
});
