import request from 'supertest';
import {
  createPlayer,
  errorCode,
  registerUser,
  TestUser,
  uniqueCharacterName,
} from './support/factories';
import { bootTestApp, GqlResult, TestApp } from './support/test-app';
import { overSocket, socketClient } from './support/ws-ops';
import { statementsDuring } from './support/statements';

function post(app: TestApp, body: unknown, token?: string) {
  let req = request(app.url).post('/graphql').set('content-type', 'application/json');
  if (token) req = req.set('authorization', `Bearer ${token}`);
  return req.send(body as object);
}

/** Depth 7 from the root: me › players › location › exits › exits › exits › id. */
const DEEP = `{ me { players { location { exits { exits { exits { id } } } } } } }`;
const CREATE = (name: string, selection: string) =>
  `mutation { createPlayer(input: { characterName: "${name}", characterClass: MAGE }) ${selection} }`;

const playersNamed = (app: TestApp, name: string) =>
  app.sql(`select id from players where character_name = ?`, [name]);

describe('query hardening', () => {
  let app: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    app = await bootTestApp({
      GRAPHQL_MAX_DEPTH: '6',
      GRAPHQL_MAX_ALIASES: '5',
      GRAPHQL_MAX_TOKENS: '300',
      GRAPHQL_MAX_COST: '600',
      HTTP_BODY_LIMIT: '4096',
    });
    user = await registerUser(app);
  });
  afterAll(() => app.close());

  describe('document limits over HTTP', () => {
    it('refuses a document deeper than GRAPHQL_MAX_DEPTH before anything runs', async () => {
      let res!: request.Response;
      const sql = await statementsDuring(app, async () => {
        res = await post(app, { query: DEEP }, user.accessToken);
      });
      expect(res.status).toBe(400);
      expect(errorCode(res.body)).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(res.body.errors[0].message).toBe('Query depth limit of 6 exceeded, found 7.');
      expect(sql).toBe(0);
      // One level less is served.
      const ok = await app.gql(
        `{ me { players { location { exits { exits { id } } } } } }`,
        {},
        user.accessToken,
      );
      expect(ok.errors).toBeUndefined();
    });

    it('refuses a mutation over the depth limit without creating anything', async () => {
      const name = uniqueCharacterName();
      const res = await post(
        app,
        { query: CREATE(name, `{ location { exits { exits { exits { npcs { id } } } } } }`) },
        user.accessToken,
      );
      expect(errorCode(res.body)).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(await playersNamed(app, name)).toHaveLength(0);
    });

    it('refuses more aliases than GRAPHQL_MAX_ALIASES', async () => {
      const aliases = [1, 2, 3, 4, 5, 6].map((i) => `a${i}: me { id }`).join(' ');
      const res = await post(app, { query: `{ ${aliases} }` }, user.accessToken);
      expect(res.status).toBe(400);
      expect(errorCode(res.body)).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(res.body.errors[0].message).toBe('Aliases limit of 5 exceeded, found 6.');
    });

    it('stops parsing past GRAPHQL_MAX_TOKENS', async () => {
      const res = await post(app, { query: `{ me { ${'id '.repeat(300)} } }` }, user.accessToken);
      expect(res.status).toBe(400);
      expect(errorCode(res.body)).toBe('GRAPHQL_PARSE_FAILED');
      expect(res.body.errors[0].message).toMatch(/contains more th\w+ 300 tokens/);
    });

    it('prices lists by their page size and refuses a document over GRAPHQL_MAX_COST', async () => {
      const fields = 'id name description type rarity value weight slot stats effects';
      const page = (first: number) => `{ items(first: ${first}) { edges { node { ${fields} } } } }`;
      let res!: request.Response;
      const sql = await statementsDuring(app, async () => {
        res = await post(app, { query: page(100) });
      });
      expect(res.status).toBe(400);
      expect(errorCode(res.body)).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(res.body.errors[0].message).toMatch(/^Query cost limit of 600 exceeded, found \d+/);
      expect(sql).toBe(0);
      // The page size in a variable counts the same.
      const viaVariable = await post(app, {
        query: `query($n: Int) { items(first: $n) { edges { node { ${fields} } } } }`,
        variables: { n: 100 },
      });
      expect(errorCode(viaVariable.body)).toBe('GRAPHQL_VALIDATION_FAILED');
      expect((await app.gql(page(10))).errors).toBeUndefined();
    });

    it('refuses a costly mutation without running it', async () => {
      const name = uniqueCharacterName();
      const res = await post(
        app,
        {
          query: CREATE(
            name,
            `{ id location { exits { exits { npcs { id name description } playersHere { id characterName level } } } } }`,
          ),
        },
        user.accessToken,
      );
      expect(errorCode(res.body)).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(res.body.errors[0].message).toMatch(/cost limit/);
      expect(await playersNamed(app, name)).toHaveLength(0);
    });
  });

  describe('page sizes', () => {
    it('caps `first` on every connection at 100: BAD_USER_INPUT naming the argument', async () => {
      const top = await app.gql(`{ items(first: 101) { edges { cursor } } }`);
      expect(errorCode(top)).toBe('BAD_USER_INPUT');
      expect(top.errors![0].extensions.fields).toEqual(['first']);
      expect(top.errors![0].message).toBe('first must not be greater than 100');

      const player = await createPlayer(app, user);
      const nested = await app.gql(
        `query($id: ID!, $n: Int) { player(id: $id) { events(first: $n) { edges { cursor } } } }`,
        { id: player.id, n: 1000 },
        user.accessToken,
      );
      expect(errorCode(nested)).toBe('BAD_USER_INPUT');
      expect(nested.errors![0].extensions.fields).toEqual(['first']);
    });

    it('has no page argument the cap cannot see (every first/limit is an Int)', async () => {
      const res = await app.gql(
        `{ __schema { types { name fields { name args { name type { name kind ofType { name } } } } } } }`,
      );
      const pageArgs = res
        .data!.__schema.types.flatMap((t: any) =>
          (t.fields ?? []).flatMap((f: any) =>
            f.args.map((a: any) => ({ at: `${t.name}.${f.name}`, ...a })),
          ),
        )
        .filter((a: any) => ['first', 'limit', 'last', 'take', 'pageSize'].includes(a.name));
      expect(pageArgs.length).toBeGreaterThan(0);
      for (const arg of pageArgs) {
        expect({
          at: arg.at,
          name: arg.name,
          type: arg.type.name ?? arg.type.ofType?.name,
        }).toEqual({ at: arg.at, name: expect.stringMatching(/^(first|limit)$/), type: 'Int' });
      }
    });
  });

  describe('HTTP', () => {
    it('answers a body over HTTP_BODY_LIMIT 413 with a JSON reason, before any GraphQL work', async () => {
      const res = await post(app, {
        query: '{ __typename }',
        variables: { x: 'x'.repeat(8000) },
      });
      expect(res.status).toBe(413);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({
        statusCode: 413,
        error: 'Payload Too Large',
        message: 'Request body is too large',
      });
      // Just under the limit is an ordinary request.
      const fits = await post(app, {
        query: '{ __typename }',
        variables: { x: 'x'.repeat(3000) },
      });
      expect(fits.status).toBe(200);
    });

    it('refuses mutations sent as text/plain or a form, and over GET (CSRF)', async () => {
      const name = uniqueCharacterName();
      const body = JSON.stringify({ query: CREATE(name, '{ id }') });
      const plain = await request(app.url)
        .post('/graphql')
        .set('content-type', 'text/plain')
        .set('authorization', `Bearer ${user.accessToken}`)
        .send(body);
      expect(plain.status).toBe(400);
      expect(plain.text).toMatch(/Cross-Site Request Forgery/);

      const form = await request(app.url)
        .post('/graphql')
        .set('content-type', 'application/x-www-form-urlencoded')
        .set('authorization', `Bearer ${user.accessToken}`)
        .send(`query=${encodeURIComponent(CREATE(name, '{ id }'))}`);
      expect([400, 415]).toContain(form.status);

      const get = await request(app.url)
        .get('/graphql')
        .query({ query: CREATE(name, '{ id }') })
        .set('authorization', `Bearer ${user.accessToken}`)
        .set('apollo-require-preflight', 'true');
      expect(get.status).toBe(405);

      expect(await playersNamed(app, name)).toHaveLength(0);
    });

    it('refuses batched requests with 400 and a clear message', async () => {
      const res = await post(app, [{ query: '{ __typename }' }, { query: '{ __typename }' }]);
      expect(res.status).toBe(400);
      expect(res.text).toMatch(/batching/i);
    });

    it('sends security headers, with a CSP the offline playground satisfies', async () => {
      const res = await post(app, { query: '{ __typename }' });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      const csp = res.headers['content-security-policy'];
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("default-src 'self'");
      expect(csp).not.toContain('upgrade-insecure-requests');

      const page = await request(app.url).get('/graphql').set('accept', 'text/html');
      expect(page.status).toBe(200);
      const scripts = [...page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attributes, inline] of scripts) {
        // 'self' only: every script comes from this server, none is inline.
        expect(attributes).toMatch(/src="\/graphql\/assets\/[\w.-]+"/);
        expect(inline.trim()).toBe('');
      }
      expect(page.headers['content-security-policy']).toContain("style-src 'self' 'unsafe-inline'");
    });

    it('sends no CORS headers unless CORS_ORIGINS lists the origin', async () => {
      const res = await request(app.url)
        .options('/graphql')
        .set('origin', 'https://elsewhere.example')
        .set('access-control-request-method', 'POST');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('keeps "Did you mean" hints outside production (GRAPHQL_HIDE_SUGGESTIONS off)', async () => {
      const res = await app.gql(`{ mee { id } }`, {}, user.accessToken);
      expect(res.errors![0].message).toMatch(/Did you mean "me"\?/);
    });
  });

  describe('over the WebSocket', () => {
    it('applies the same auth, parse, validation, cost and page limits as HTTP', async () => {
      const client = socketClient(app.url, user.accessToken);
      const anonymous = socketClient(app.url);
      try {
        const deep = await overSocket(client, DEEP);
        expect(deep.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
        expect(deep.errors?.[0].message).toBe('Query depth limit of 6 exceeded, found 7.');

        const aliases = [1, 2, 3, 4, 5, 6].map((i) => `a${i}: me { id }`).join(' ');
        expect((await overSocket(client, `{ ${aliases} }`)).errors?.[0].extensions.code).toBe(
          'GRAPHQL_VALIDATION_FAILED',
        );
        const tokens = await overSocket(client, `{ me { ${'id '.repeat(300)} } }`);
        expect(tokens.errors?.[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
        const costly = await overSocket(
          client,
          `{ items(first: 100) { edges { node { id name description type rarity value weight slot stats effects } } } }`,
        );
        expect(costly.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
        expect(costly.errors?.[0].message).toMatch(/cost limit/);
        const page = await overSocket(client, `{ items(first: 101) { edges { cursor } } }`);
        expect(page.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
        expect(page.errors?.[0].extensions.fields).toEqual(['first']);

        // A refused mutation creates nothing; an accepted one works, signed in, over the socket.
        const refused = uniqueCharacterName();
        const deepMutation = await overSocket(
          client,
          CREATE(refused, `{ location { exits { exits { exits { npcs { id } } } } } }`),
        );
        expect(deepMutation.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
        expect(await playersNamed(app, refused)).toHaveLength(0);

        const accepted = uniqueCharacterName();
        const created = await overSocket(client, CREATE(accepted, '{ id characterName }'));
        expect(created.errors).toBeUndefined();
        expect(created.data.createPlayer.characterName).toBe(accepted);
        expect(await playersNamed(app, accepted)).toHaveLength(1);

        const unauthenticated = await overSocket(
          anonymous,
          CREATE(uniqueCharacterName(), '{ id }'),
        );
        expect(unauthenticated.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');

        // The socket survived every refusal.
        expect((await overSocket(client, '{ me { id } }')).data.me.id).toBe(user.id);
      } finally {
        await Promise.all([client.dispose(), anonymous.dispose()]);
      }
    });
  });
});

describe('production configuration', () => {
  let prod: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    prod = await bootTestApp({ NODE_ENV: 'production', CORS_ORIGINS: 'https://play.example' });
    user = await registerUser(prod);
  });
  afterAll(() => prod.close());

  it('turns introspection off, over HTTP and the WebSocket', async () => {
    const res = await post(prod, { query: '{ __schema { types { name } } }' });
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.body.errors[0].message).toMatch(/introspection/i);
    const client = socketClient(prod.url, user.accessToken);
    try {
      const ws = await overSocket(client, '{ __schema { types { name } } }');
      expect(ws.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(ws.errors?.[0].message).toMatch(/introspection/i);
      const typo = await overSocket(client, '{ mee { id } }');
      expect(typo.errors?.[0].message).toBe('Cannot query field "mee" on type "Query".');
    } finally {
      await client.dispose();
    }
  });

  it('serves no playground', async () => {
    const page = await request(prod.url).get('/graphql').set('accept', 'text/html');
    expect(page.text).not.toMatch(/graphiql/i);
    const asset = await request(prod.url).get('/graphql/assets/graphiql.js');
    expect(asset.status).toBe(404);
  });

  it('gives no "Did you mean" hints', async () => {
    const res: GqlResult = await prod.gql('{ mee { id } }', {}, user.accessToken);
    expect(errorCode(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors![0].message).toBe('Cannot query field "mee" on type "Query".');
  });

  it('allows exactly the CORS_ORIGINS', async () => {
    const preflight = (origin: string) =>
      request(prod.url)
        .options('/graphql')
        .set('origin', origin)
        .set('access-control-request-method', 'POST')
        .set('access-control-request-headers', 'content-type,authorization');
    const allowed = await preflight('https://play.example');
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://play.example');
    expect(allowed.headers['access-control-allow-headers']).toMatch(/authorization/);
    const refused = await preflight('https://evil.example');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });
});
