import Redis from 'ioredis';
import { gameEventsTopic } from '../src/modules/events/events.service';
import { PASSWORD, uniqueCharacterName, uniqueName } from './support/factories';
import { runSql } from './support/run-sql';
import { createPlayerOn, registerOn, startServer, ServerProcess } from './support/server-process';
import { onRealServers } from './support/test-app';
import { subscribe, waitFor, wsClient } from './support/ws';

const SEARCH_ITEMS = `query($search: String!) { items(filter: { search: $search }, first: 10) { edges { node { id name } } } }`;
const LOGIN_LIMIT = 4;
const GAME_EVENTS = `subscription($playerId: ID!) { gameEvents(playerId: $playerId) { id playerId type name } }`;

/**
 * Two server processes on different ports sharing the run's PostgreSQL database
 * and Redis (same JWT_SECRET and REDIS_KEY_PREFIX), as two instances behind a
 * load balancer would. Real servers only: on the embedded defaults each process
 * owns its own database, cache and PubSub, so there is nothing to share.
 */
(onRealServers() ? describe : describe.skip)(
  onRealServers()
    ? 'two instances on one PostgreSQL and one Redis'
    : 'two instances on one PostgreSQL and one Redis (skipped: real servers only, npm run test:real)',
  () => {
    let a: ServerProcess;
    let b: ServerProcess;
    let redis: Redis;

    beforeAll(async () => {
      const env = {
        // One account's login attempts, counted in Redis by both instances together.
        RATE_LIMIT_LOGIN_PER_ACCOUNT: String(LOGIN_LIMIT),
        // A namespace of their own: the run's other files must not refresh their cache for them.
        REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX ?? 'lm-test'}-${uniqueName('scale')}`,
      };
      [a, b] = await Promise.all([startServer(env), startServer(env)]);
      redis = new Redis(process.env.REDIS_URL!, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await redis.connect();
    }, 90_000);
    afterAll(async () => {
      redis?.disconnect();
      await Promise.all([a?.stop(), b?.stop()]);
    });

    /** Until Redis knows of the subscription, an event published elsewhere cannot reach it. */
    const subscribedInRedis = (topic: string) =>
      waitFor(
        async () => {
          const [, count] = (await redis.pubsub('NUMSUB', topic)) as [string, number];
          return Number(count) > 0;
        },
        5_000,
        `a Redis subscriber on ${topic}`,
      );

    it('runs as two processes on different ports', () => {
      expect(a.url).not.toBe(b.url);
      expect(a.pid).not.toBe(b.pid);
    });

    it('delivers to a subscription on one instance the events caused by a mutation on the other', async () => {
      const owner = await registerOn(a);
      const { id: playerId, potionId: potion } = await createPlayerOn(b, owner);

      for (const [watcher, actor] of [
        [a, b],
        [b, a],
      ] as const) {
        const { client } = wsClient(watcher.url, owner.accessToken);
        try {
          const events = subscribe(client, GAME_EVENTS, { playerId });
          await subscribedInRedis(gameEventsTopic(playerId));
          const used = await actor.gql(
            `mutation($p: ID!, $i: ID!) { useItem(playerId: $p, itemId: $i) { id } }`,
            { p: playerId, i: potion },
            owner.accessToken,
          );
          expect(used.errors).toBeUndefined();
          const message = await events.next();
          expect(message.errors).toBeUndefined();
          expect(message.data!.gameEvents).toMatchObject({ playerId, type: 'ITEM_USED' });
          events.stop();
        } finally {
          await client.dispose();
        }
      }
    });

    it('refuses on one instance, at once, the access token of a session logged out on the other', async () => {
      const account = await registerOn(a);
      // B has seen the session live (and may have cached that) before the logout on A.
      const before = await b.gql('{ me { id } }', undefined, account.accessToken);
      expect(before.data?.me.id).toBe(account.id);

      const logout = await a.gql(
        `mutation($t: String!) { logout(refreshToken: $t) }`,
        { t: account.refreshToken },
        account.accessToken,
      );
      expect(logout.data?.logout).toBe(true);

      const after = await b.gql('{ me { id } }', undefined, account.accessToken);
      expect(after.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
      const refresh = await b.gql(
        `mutation($t: String!) { refreshTokens(refreshToken: $t) { accessToken } }`,
        { t: account.refreshToken },
      );
      expect(refresh.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    });

    it('closes on one instance, at once, the sockets of a session logged out on the other', async () => {
      const account = await registerOn(a);
      const { id: playerId } = await createPlayerOn(a, account);
      const { client, closed } = wsClient(b.url, account.accessToken);
      try {
        const events = subscribe(client, GAME_EVENTS, { playerId });
        await subscribedInRedis(gameEventsTopic(playerId));
        const logout = await a.gql(
          `mutation($t: String!) { logout(refreshToken: $t) }`,
          { t: account.refreshToken },
          account.accessToken,
        );
        expect(logout.data?.logout).toBe(true);
        // Well before B's periodic session check (WS_AUTH_CHECK_INTERVAL_MS, 30 s by default).
        const code = await Promise.race([
          closed,
          new Promise((r) => setTimeout(() => r('still open after 5 s'), 5_000)),
        ]);
        expect(code).toBe(4403);
        await events.ended;
      } finally {
        await client.dispose();
      }
    });

    it('shares sessions: a login on one instance is good on the other', async () => {
      const account = await registerOn(b);
      const login = await a.gql(
        `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`,
        { input: { login: account.username, password: PASSWORD } },
      );
      const me = await b.gql('{ me { id } }', undefined, login.data!.login.accessToken);
      expect(me.data?.me.id).toBe(account.id);
    });

    it('shows a catalogue write on one instance at once in the cached reads of the other', async () => {
      const admin = await registerOn(a);
      await runSql(`update users set role = 'ADMIN' where id = $1`, [admin.id]);
      const login = await a.gql(
        `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`,
        { input: { login: admin.username, password: PASSWORD } },
      );
      const token = login.data!.login.accessToken;
      const name = uniqueCharacterName('Relic');
      const search = (server: ServerProcess) =>
        server
          .gql(SEARCH_ITEMS, { search: name })
          .then((res) => res.data!.items.edges.map((e: any) => e.node.name));

      // Both instances have read (and cached) the catalogue without it.
      for (const server of [a, b, a, b]) expect(await search(server)).toEqual([]);
      const made = await a.gql(
        `mutation($input: CreateItemInput!) { createItem(input: $input) { id name } }`,
        {
          input: {
            name,
            description: 'Made on one instance, listed on the other.',
            type: 'MATERIAL',
            rarity: 'COMMON',
            value: 1,
            weight: 0.1,
          },
        },
        token,
      );
      expect(made.errors).toBeUndefined();
      expect(await search(b)).toEqual([name]);
      expect(await search(a)).toEqual([name]);
    });

    it('enforces a rate limit across both instances: the limit, not twice it', async () => {
      const account = await registerOn(a);
      const codes: string[] = [];
      for (let i = 0; i < 3 * LOGIN_LIMIT; i++) {
        const server = i % 2 === 0 ? a : b;
        const res = await server.gql(
          `mutation($input: LoginInput!) { login(input: $input) { accessToken } }`,
          { input: { login: account.username, password: 'not-the-password-123' } },
        );
        codes.push(res.errors![0].extensions.code);
        if (res.errors![0].extensions.code === 'RATE_LIMITED') {
          expect(res.errors![0].extensions.retryAfter).toBeGreaterThan(0);
        }
      }
      expect(codes.slice(0, LOGIN_LIMIT)).toEqual(Array(LOGIN_LIMIT).fill('UNAUTHENTICATED'));
      expect(codes.slice(LOGIN_LIMIT)).toEqual(Array(2 * LOGIN_LIMIT).fill('RATE_LIMITED'));
    });
  },
);
