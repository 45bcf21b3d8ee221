import request from 'supertest';
import { PlayersService } from '../src/modules/players/players.service';
import { createPlayer, errorCode, registerUser } from './support/factories';
import { bootTestApp, onRealServers, TestApp } from './support/test-app';
import { deadPort } from './support/ports';

describe('platform', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await bootTestApp();
  });
  afterAll(() => app.close());

  describe('GET /health', () => {
    it('reports database, cache and llm', async () => {
      const res = await request(app.url).get('/health');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        status: 'ok',
        checks: { database: 'ok', cache: 'ok', llm: 'ok' },
      });
    });
  });

  describe('errors', () => {
    it('keeps the GraphQL layer codes, with a timestamp and no stack trace', async () => {
      const cases: [string, Record<string, unknown> | undefined, string][] = [
        ['{ me { id ', undefined, 'GRAPHQL_PARSE_FAILED'],
        ['{ nope }', undefined, 'GRAPHQL_VALIDATION_FAILED'],
        ['query($id: ID!) { player(id: $id) { id } }', { id: { not: 'an id' } }, 'BAD_USER_INPUT'],
      ];
      for (const [query, variables, code] of cases) {
        const res = await app.gql(query, variables);
        expect(errorCode(res)).toBe(code);
        const { extensions } = res.errors![0];
        expect(new Date(extensions.timestamp).toISOString()).toBe(extensions.timestamp);
        expect(extensions.stacktrace).toBeUndefined();
      }
    });

    it('turns an unexpected failure into a bare INTERNAL_SERVER_ERROR: no message, SQL or stack', async () => {
      const user = await registerUser(app);
      const player = await createPlayer(app, user);
      const service = app.running.app.get(PlayersService);
      const spy = jest
        .spyOn(service, 'getOwned')
        .mockRejectedValueOnce(
          new Error('select password_hash from users where id = $1 -- at /srv/app/src/x.ts:1'),
        );
      try {
        const res = await app.gql(
          'query($id: ID!) { player(id: $id) { id } }',
          { id: player.id },
          user.accessToken,
        );
        expect(errorCode(res)).toBe('INTERNAL_SERVER_ERROR');
        expect(res.errors![0].message).toBe('Internal server error');
        expect(JSON.stringify(res)).not.toMatch(/password_hash|select|\/srv\/|stacktrace/);
      } finally {
        spy.mockRestore();
      }
    });

    it('refuses a subscription sent over HTTP, pointing at the WebSocket', async () => {
      const user = await registerUser(app);
      const player = await createPlayer(app, user);
      const res = await app.gql(
        'subscription($id: ID!) { gameEvents(playerId: $id) { id } }',
        { id: player.id },
        user.accessToken,
      );
      expect(errorCode(res)).toBe('BAD_REQUEST');
      expect(res.errors![0].message).toMatch(/WebSocket/);
    });

    it('answers a request without a token UNAUTHENTICATED, and the public ones without it', async () => {
      expect(errorCode(await app.gql('{ me { id } }'))).toBe('UNAUTHENTICATED');
      const introspection = await app.gql('{ __schema { queryType { name } } }');
      expect(introspection.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    });
  });

  describe('offline playground', () => {
    it('serves GraphiQL to a browser with every script and style from this server', async () => {
      const res = await request(app.url)
        .get('/graphql')
        .set('accept', 'text/html,application/xhtml+xml');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).not.toMatch(/https?:\/\//);
      const assets = [...res.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
      expect(assets).toHaveLength(6);
      for (const asset of assets) {
        expect(asset.startsWith('/graphql/assets/')).toBe(true);
        const file = await request(app.url).get(asset);
        expect(file.status).toBe(200);
        expect(file.headers['content-type']).toMatch(/javascript|css/);
        expect(file.text.length).toBeGreaterThan(500);
      }
      const client = await request(app.url).get('/graphql/assets/playground.js');
      // Subscriptions go through graphql-ws with the header typed in GraphiQL.
      expect(client.text).toContain('graphqlWs.createClient');
      expect(client.text).toContain('connectionParams');
    });

    it('serves nothing but its own assets', async () => {
      for (const path of [
        '/graphql/assets/package.json',
        '/graphql/assets/..%2F..%2Fpackage.json',
        '/graphql/assets/',
      ]) {
        expect((await request(app.url).get(path)).status).toBe(404);
      }
    });

    it('leaves GraphQL requests to Apollo', async () => {
      const res = await request(app.url).post('/graphql').send({ query: '{ __typename }' });
      expect(res.body).toEqual({ data: { __typename: 'Query' } });
    });

    it('is off when configured so', async () => {
      const quiet = await bootTestApp({
        GRAPHQL_PLAYGROUND: 'false',
        GRAPHQL_INTROSPECTION: 'false',
      });
      try {
        const res = await request(quiet.url).get('/graphql').set('accept', 'text/html');
        expect(res.text).not.toContain('graphiql');
        expect(errorCode(await quiet.gql('{ __schema { queryType { name } } }'))).toBe(
          'GRAPHQL_VALIDATION_FAILED',
        );
      } finally {
        await quiet.close();
      }
    });
  });

  describe('with Redis down', () => {
    let degraded: TestApp;
    beforeAll(async () => {
      degraded = await bootTestApp({
        REDIS_URL: `redis://127.0.0.1:${await deadPort()}`,
        CACHE_TIMEOUT_MS: '200',
      });
    });
    afterAll(() => degraded.close());

    it('keeps serving, falling back to the database, and says the cache is degraded', async () => {
      const started = Date.now();
      const user = await registerUser(degraded);
      const player = await createPlayer(degraded, user);
      const me = await degraded.gql('{ me { players { id } } }', undefined, user.accessToken);
      expect(me.data?.me.players).toEqual([{ id: player.id }]);
      const health = await request(degraded.url).get('/health');
      expect(health.status).toBe(200);
      expect(health.body).toEqual({
        status: 'degraded',
        checks: { database: 'ok', cache: 'degraded', llm: 'ok' },
      });
      // Every cache call is bounded: a handful of requests cannot add up to a hang.
      expect(Date.now() - started).toBeLessThan(15_000);
    });
  });

  (onRealServers() ? describe.skip : describe)('with the database down', () => {
    it('answers /health with 503', async () => {
      const doomed = await bootTestApp();
      try {
        await doomed.running.embedded!.stop();
        const res = await request(doomed.url).get('/health');
        expect(res.status).toBe(503);
        expect(res.body.checks.database).toBe('down');
        expect(res.body.status).toBe('down');
      } finally {
        await doomed.running.app.close();
      }
    });
  });
});
