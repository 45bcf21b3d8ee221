import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { decode, JwtPayload, sign } from 'jsonwebtoken';
import request from 'supertest';
import { gameEventsTopic } from '../src/modules/events/events.service';
import {
  AUTH_FIELDS,
  createPlayer,
  errorCode,
  PASSWORD,
  registerUser,
  TestUser,
  uniqueName,
} from './support/factories';
import { bootTestApp, GqlResult, TEST_JWT_SECRET, TestApp } from './support/test-app';
import { subscribe, waitFor, wsClient } from './support/ws';

const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { ${AUTH_FIELDS} } }`;
const REFRESH = `mutation($token: String!) { refreshTokens(refreshToken: $token) { ${AUTH_FIELDS} } }`;
const LOGOUT = `mutation($token: String!) { logout(refreshToken: $token) }`;
const ME = `query { me { id username email role createdAt players { id } } }`;
const GAME_EVENTS = `subscription($playerId: ID!) { gameEvents(playerId: $playerId) { id type } }`;
const ANY_UUID = '00000000-0000-4000-8000-000000000000';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

interface SessionRow {
  id: string;
  revoked_at: Date | null;
  revoked_reason: string | null;
}

/** Decoded claims of one of the server's access tokens. */
function claimsOf(token: string): JwtPayload {
  const claims = decode(token);
  if (!claims || typeof claims === 'string') throw new Error(`not a JWT: ${token}`);
  return claims;
}

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('auth', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await bootTestApp();
  });
  afterAll(() => app.close());

  // ---------- helpers (all state is per user, so parallel files on a shared database never interfere) ----------

  const register = (input: Record<string, unknown>) => app.gql(REGISTER, { input });
  const login = (loginName: string, password = PASSWORD) =>
    app.gql(LOGIN, { input: { login: loginName, password } });
  const refresh = (token: string) => app.gql(REFRESH, { token });
  const me = (token?: string) => app.gql(ME, {}, token);

  async function loginOk(loginName: string, password = PASSWORD) {
    const res = await login(loginName, password);
    expect(res.errors).toBeUndefined();
    return res.data!.login as {
      accessToken: string;
      refreshToken: string;
      expiresIn: number;
      user: Record<string, any>;
    };
  }

  /** POST /graphql with a hand-made Authorization header (or none). */
  async function rawGql(query: string, authorization?: string): Promise<GqlResult> {
    let req = request(app.url).post('/graphql').set('content-type', 'application/json');
    if (authorization !== undefined) req = req.set('authorization', authorization);
    const res = await req.send({ query });
    expect([200, 400]).toContain(res.status);
    return res.body;
  }

  /** The one error carries exactly this code, a timestamp, and nothing that leaks internals. */
  function expectRefused(res: GqlResult, code: string, fields?: string[]) {
    expect(errorCode(res)).toBe(code);
    const { extensions, message } = res.errors![0];
    expect(extensions.stacktrace).toBeUndefined();
    expect(extensions.exception).toBeUndefined();
    expect(Object.keys(extensions).sort()).toEqual(
      fields ? ['code', 'fields', 'timestamp'] : ['code', 'timestamp'],
    );
    expect(extensions.timestamp).toMatch(ISO);
    if (fields) expect([...extensions.fields].sort()).toEqual([...fields].sort());
    expect(message).not.toMatch(
      /\bat .+\.(ts|js):\d+|select |insert |update |jwt malformed|invalid signature|secret/i,
    );
    expect(res.data ?? null).toBeNull();
  }

  const userRows = (username: string, email: string) =>
    app.sql<{ id: string; username: string; email: string; role: string; password_hash: string }>(
      `select id, username, email, role, password_hash from users where lower(username) = lower(?) or email = lower(?)`,
      [username, email],
    );
  const emailRows = (email: string) =>
    app.sql(`select id from users where email = lower(?)`, [email]);
  const sessionsOf = (userId: string) =>
    app.sql<SessionRow>(
      `select id, revoked_at, revoked_reason from sessions where user_id = ? order by created_at, id`,
      [userId],
    );
  const refreshTokensOf = (userId: string) =>
    app.sql<{ session_id: string; token_hash: string; used_at: Date | null }>(
      `select rt.session_id, rt.token_hash, rt.used_at from refresh_tokens rt join sessions s on s.id = rt.session_id where s.user_id = ?`,
      [userId],
    );
  const sessionRow = async (sessionId: string) =>
    (
      await app.sql<SessionRow>(
        `select id, revoked_at, revoked_reason from sessions where id = ?`,
        [sessionId],
      )
    )[0];

  async function expectMeWorks(token: string, userId: string) {
    const res = await me(token);
    expect(res.errors).toBeUndefined();
    expect(res.data!.me.id).toBe(userId);
  }

  /** An HS256 token signed with the test secret, by default carrying the claims of `model`. */
  function forge(
    model: string,
    payload: Record<string, unknown> = {},
    secret = TEST_JWT_SECRET,
    algorithm: 'HS256' | 'HS512' = 'HS256',
  ) {
    const now = Math.floor(Date.now() / 1000);
    const claims = { ...claimsOf(model), iat: now, exp: now + 600, ...payload };
    for (const key of Object.keys(claims))
      if (claims[key as keyof typeof claims] === undefined)
        delete claims[key as keyof typeof claims];
    return sign(claims, secret, { algorithm, noTimestamp: true });
  }

  // ---------------------------------------------------------------- register

  describe('register', () => {
    it('creates a PLAYER account, lower-cases the email and signs it in', async () => {
      const username = uniqueName('Reg_');
      const email = `${username.toUpperCase()}@Example.COM`;
      const res = await register({ username, email, password: PASSWORD });
      expect(res.errors).toBeUndefined();
      const payload = res.data!.register;
      expect(payload).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        expiresIn: expect.any(Number),
        user: {
          id: expect.any(String),
          username,
          email: email.toLowerCase(),
          role: 'PLAYER',
          createdAt: expect.stringMatching(ISO),
        },
      });
      expect(payload.user.id).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
      expect(payload.accessToken).not.toBe(payload.refreshToken);
      const claims = claimsOf(payload.accessToken);
      expect(claims).toMatchObject({
        sub: payload.user.id,
        role: 'PLAYER',
        typ: 'access',
        iss: 'loremaster',
        aud: 'loremaster-api',
      });
      expect(Number.isInteger(payload.expiresIn) && payload.expiresIn > 0).toBe(true);
      expect(claims.exp! - claims.iat!).toBe(payload.expiresIn);

      // The database holds one account (password hashed), one session and one refresh token (hashed).
      const rows = await userRows(username, email);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        id: payload.user.id,
        username,
        email: email.toLowerCase(),
        role: 'PLAYER',
      });
      expect(rows[0].password_hash).toMatch(/^\$argon2id\$/);
      expect(rows[0].password_hash).not.toContain(PASSWORD);
      const sessions = await sessionsOf(payload.user.id);
      expect(sessions).toEqual([{ id: claims.sid, revoked_at: null, revoked_reason: null }]);
      const tokens = await refreshTokensOf(payload.user.id);
      expect(tokens).toEqual([
        {
          session_id: claims.sid,
          token_hash: createHash('sha256').update(payload.refreshToken).digest('hex'),
          used_at: null,
        },
      ]);

      // The tokens work straight away.
      const who = await me(payload.accessToken);
      expect(who.data!.me).toEqual({ ...payload.user, players: [] });
    });

    it('refuses weak passwords with BAD_USER_INPUT on ["password"], and stores nothing', async () => {
      const username = uniqueName();
      const weak: [string, string][] = [
        ['too short', 'abc-12'],
        ['9 characters', 'abcdef-12'],
        ['letters only', 'abcdefghijklmnop'],
        ['digits only', '12345678901234'],
        ['symbols and digits only', '1234-5678-90!'],
        ['common', 'password123'],
        ['common, other case', 'Password123'],
        ['too few distinct characters', 'aaaa1111aaaa'],
        ['contains the username', `my-${username}-pass`],
        ['contains the username, other case', `My-${username.toUpperCase()}-Pass`],
        ['contains the email local part', 'x-zorrolocal-9'],
        ['129 characters', 'Lorem-ipsum-42-'.repeat(9).slice(0, 129)],
        ['200 characters', 'Lorem-ipsum-42-'.repeat(14).slice(0, 200)],
      ];
      const email = `zorrolocal.${username}@example.com`;
      // For the email rule the local part must differ from the username.
      const otherEmail = `zorrolocal@${username}.example.com`;
      for (const [why, password] of weak) {
        const res = await register({
          username,
          email: why.includes('email') ? otherEmail : email,
          password,
        });
        try {
          expectRefused(res, 'BAD_USER_INPUT', ['password']);
          expect(res.errors![0].message).not.toContain(password);
        } catch (error) {
          throw new Error(`${why}: ${(error as Error).message}`);
        }
      }
      expect(await userRows(username, email)).toEqual([]);
      expect(await userRows(username, otherEmail)).toEqual([]);

      // The boundary itself is accepted: exactly 128 characters, and exactly 10.
      const long = await register({
        username,
        email: `${username}@example.com`,
        password: 'Lorem-ipsum-42-'.repeat(9).slice(0, 128),
      });
      expect(long.errors).toBeUndefined();
      const other = uniqueName();
      const ten = await register({
        username: other,
        email: `${other}@example.com`,
        password: 'Qwv7-Kp2zx',
      });
      expect(ten.errors).toBeUndefined();
    });

    it('refuses a malformed email with BAD_USER_INPUT on ["email"]', async () => {
      const username = uniqueName();
      const bad = [
        '',
        'not-an-email',
        'a@',
        '@example.com',
        'a b@example.com',
        'a@@example.com',
        `${'a'.repeat(250)}@example.com`,
      ];
      for (const email of bad) {
        const res = await register({ username, email, password: PASSWORD });
        try {
          expectRefused(res, 'BAD_USER_INPUT', ['email']);
        } catch (error) {
          throw new Error(`email ${JSON.stringify(email)}: ${(error as Error).message}`);
        }
      }
      expect(await userRows(username, `${username}@example.com`)).toEqual([]);
    });

    it('refuses a bad username with BAD_USER_INPUT on ["username"]', async () => {
      const suffix = randomBytes(4).toString('hex');
      const bad = [
        '',
        '   ',
        'ab',
        `a${'b'.repeat(32)}`,
        `bad name${suffix}`,
        `bad@name${suffix}`,
        `_lead${suffix}`,
        `émile${suffix}`,
        `semi;colon${suffix}`,
        `drop'${suffix}`,
      ];
      for (const username of bad) {
        const email = `${uniqueName()}@example.com`;
        const res = await register({ username, email, password: PASSWORD });
        try {
          expectRefused(res, 'BAD_USER_INPUT', ['username']);
        } catch (error) {
          throw new Error(`username ${JSON.stringify(username)}: ${(error as Error).message}`);
        }
        expect(await emailRows(email)).toEqual([]);
      }
      // Boundaries: 3 and 32 characters are fine, and so are the allowed punctuation marks.
      for (const username of [
        `a${randomBytes(1).toString('hex')}`.slice(0, 3),
        uniqueName('x.y-z_').padEnd(32, '9'),
      ]) {
        const res = await register({
          username,
          email: `${uniqueName()}@example.com`,
          password: PASSWORD,
        });
        if (res.errors?.[0].extensions.code === 'CONFLICT') continue; // a 3-character name may be taken by a previous run
        expect(res.errors).toBeUndefined();
        expect(res.data!.register.user.username).toBe(username);
      }
    });

    it('names every bad field at once', async () => {
      const res = await register({ username: 'a', email: 'nope', password: 'short' });
      expectRefused(res, 'BAD_USER_INPUT', ['username', 'email', 'password']);
    });

    it('refuses a taken username, in any case, with CONFLICT on ["username"]', async () => {
      const alice = await registerUser(app);
      for (const username of [
        alice.username,
        alice.username.toUpperCase(),
        `  ${alice.username}  `,
      ]) {
        const email = `${uniqueName()}@example.com`;
        const res = await register({ username, email, password: PASSWORD });
        expectRefused(res, 'CONFLICT', ['username']);
        expect(await emailRows(email)).toEqual([]);
      }
      expect(await userRows(alice.username, alice.email)).toHaveLength(1);
      expect(await sessionsOf(alice.id)).toHaveLength(1);
    });

    it('refuses a taken email, in any case, with CONFLICT on ["email"]', async () => {
      const alice = await registerUser(app);
      for (const email of [
        alice.email,
        alice.email.toUpperCase(),
        ` ${alice.email.replace(/^./, (c) => c.toUpperCase())} `,
      ]) {
        const username = uniqueName();
        const res = await register({ username, email, password: PASSWORD });
        expectRefused(res, 'CONFLICT', ['email']);
        expect(await userRows(username, `${username}@nowhere.invalid`)).toEqual([]);
      }
      expect(await userRows(alice.username, alice.email)).toHaveLength(1);
    });

    it('lets exactly one of several simultaneous identical registrations win, naming the right field', async () => {
      const username = uniqueName();
      const byName = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          register({
            username: i % 2 ? username : username.toUpperCase(),
            email: `${uniqueName()}@example.com`,
            password: PASSWORD,
          }),
        ),
      );
      expect(byName.filter((r) => !r.errors)).toHaveLength(1);
      for (const res of byName.filter((r) => r.errors))
        expectRefused(res, 'CONFLICT', ['username']);
      expect(
        await app.sql(`select id from users where lower(username) = lower(?)`, [username]),
      ).toHaveLength(1);

      const email = `${uniqueName()}@example.com`;
      const byEmail = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          register({
            username: uniqueName(),
            email: i % 2 ? email : email.toUpperCase(),
            password: PASSWORD,
          }),
        ),
      );
      expect(byEmail.filter((r) => !r.errors)).toHaveLength(1);
      for (const res of byEmail.filter((r) => r.errors)) expectRefused(res, 'CONFLICT', ['email']);
      expect(await app.sql(`select id from users where email = ?`, [email])).toHaveLength(1);
    });

    it('leaves missing fields and wrong types to the GraphQL layer', async () => {
      const username = uniqueName();
      const email = `${username}@example.com`;
      // Through variables: Apollo refuses to coerce them, before any resolver runs.
      // The field at fault is named, and the submitted value (a password!) is not echoed.
      const viaVariables: [Record<string, unknown>, string][] = [
        [{ username, email }, 'password'],
        [{ username, email, password: 12345678901 }, 'password'],
        [{ username: null, email, password: PASSWORD }, 'username'],
        [{ username, email, password: PASSWORD, role: 'ADMIN' }, 'role'],
      ];
      for (const [input, field] of viaVariables) {
        const res = await register(input);
        expectRefused(res, 'BAD_USER_INPUT', [field]);
        expect(res.errors![0].message).toContain('$input');
        expect(res.errors![0].message).not.toContain(PASSWORD);
        expect(res.errors![0].message).not.toContain('12345678901');
      }
      const noVariable = await app.gql(REGISTER, {});
      expectRefused(noVariable, 'BAD_USER_INPUT', ['input']);

      // Inline in the document: the document itself is invalid.
      const inline = [
        `mutation { register(input: { username: "${username}", email: "${email}" }) { accessToken } }`,
        `mutation { register(input: { username: "${username}", email: "${email}", password: 12345678901 }) { accessToken } }`,
        `mutation { register(input: { username: "${username}", email: "${email}", password: "${PASSWORD}", role: ADMIN }) { accessToken } }`,
        `mutation { register { accessToken } }`,
      ];
      for (const query of inline) expectRefused(await app.gql(query), 'GRAPHQL_VALIDATION_FAILED');
      expectRefused(
        await app.gql(`mutation { register(input: { username: "${username}" ) { accessToken } }`),
        'GRAPHQL_PARSE_FAILED',
      );
      expect(await userRows(username, email)).toEqual([]);
    });
  });

  // ---------------------------------------------------------------- login

  describe('login', () => {
    it('accepts the username in any case, or the email in any case, opening a new session each time', async () => {
      const alice = await registerUser(app, { username: uniqueName('Al_') });
      const sids = new Set<string>([claimsOf(alice.accessToken).sid]);
      const logins = [
        alice.username,
        alice.username.toLowerCase(),
        alice.username.toUpperCase(),
        `  ${alice.username} `,
        alice.email,
        alice.email.toUpperCase(),
      ];
      for (const [i, name] of logins.entries()) {
        const payload = await loginOk(name);
        expect(payload.user).toEqual({
          id: alice.id,
          username: alice.username,
          email: alice.email,
          role: 'PLAYER',
          createdAt: expect.stringMatching(ISO),
        });
        expect(payload.refreshToken).not.toBe(alice.refreshToken);
        const claims = claimsOf(payload.accessToken);
        expect(claims.sub).toBe(alice.id);
        sids.add(claims.sid);
        expect(sids.size).toBe(i + 2);
        const sessions = await sessionsOf(alice.id);
        expect(sessions).toHaveLength(i + 2);
        expect(sessions.every((s) => s.revoked_at === null)).toBe(true);
        await expectMeWorks(payload.accessToken, alice.id);
      }
      // Every session is still live: a new login does not end the others.
      await expectMeWorks(alice.accessToken, alice.id);
    });

    it('refuses a wrong password and an unknown login alike, opening no session', async () => {
      const alice = await registerUser(app);
      const attempts: [string, string][] = [
        [alice.username, 'wrong-password-42'],
        [alice.email, 'wrong-password-42'],
        [alice.username, PASSWORD.toUpperCase()],
        [alice.username, `${PASSWORD} `],
        [uniqueName('ghost'), PASSWORD],
        [`${uniqueName('ghost')}@example.com`, PASSWORD],
      ];
      const messages = new Set<string>();
      for (const [name, password] of attempts) {
        const res = await login(name, password);
        expectRefused(res, 'UNAUTHENTICATED');
        messages.add(res.errors![0].message);
      }
      expect(messages.size).toBe(1);
      const [message] = messages;
      expect(message).not.toMatch(/not found|unknown|no such|does not exist|wrong password/i);
      expect(await sessionsOf(alice.id)).toHaveLength(1);
    });

    it('refuses an empty login or password as BAD_USER_INPUT', async () => {
      const alice = await registerUser(app);
      expectRefused(await login('', PASSWORD), 'BAD_USER_INPUT', ['login']);
      expectRefused(await login('   ', PASSWORD), 'BAD_USER_INPUT', ['login']);
      expectRefused(await login(alice.username, ''), 'BAD_USER_INPUT', ['password']);
      expect(await sessionsOf(alice.id)).toHaveLength(1);
    });
  });

  // ---------------------------------------------------------------- me

  describe('me', () => {
    it('answers the signed-in account, with no characters yet', async () => {
      const alice = await registerUser(app);
      const res = await me(alice.accessToken);
      expect(res.errors).toBeUndefined();
      expect(res.data!.me).toEqual({
        id: alice.id,
        username: alice.username,
        email: alice.email,
        role: 'PLAYER',
        createdAt: expect.stringMatching(ISO),
        players: [],
      });
    });

    it('lists only the account’s own characters', async () => {
      const alice = await registerUser(app);
      const bob = await registerUser(app);
      const player = await createPlayer(app, alice);
      expect((await me(alice.accessToken)).data!.me.players).toEqual([{ id: player.id }]);
      expect((await me(bob.accessToken)).data!.me.players).toEqual([]);
    });

    it('is UNAUTHENTICATED without a token', async () => {
      expectRefused(await me(), 'UNAUTHENTICATED');
    });
  });

  // ---------------------------------------------------------------- access tokens

  describe('access tokens', () => {
    let alice: TestUser;
    beforeAll(async () => {
      alice = await registerUser(app);
    });

    it('accepts a token the test signs the way the server does (control for the forgeries below)', async () => {
      await expectMeWorks(forge(alice.accessToken), alice.id);
    });

    it('refuses forged, expired, unsigned, foreign and malformed tokens, leaking nothing', async () => {
      const now = Math.floor(Date.now() / 1000);
      const header = b64url({ alg: 'none', typ: 'JWT' });
      const payload = b64url({ ...claimsOf(alice.accessToken), iat: now, exp: now + 600 });
      const [h, p, s] = alice.accessToken.split('.');
      const tamperedPayload = b64url({ ...claimsOf(alice.accessToken), role: 'ADMIN' });
      const bad: [string, string][] = [
        [
          'signed with another secret',
          forge(alice.accessToken, {}, 'another-secret-that-is-long-enough-0123456789'),
        ],
        ['expired', forge(alice.accessToken, { iat: now - 3600, exp: now - 60 })],
        ['alg none, empty signature', `${header}.${payload}.`],
        ['alg none, no signature part', `${header}.${payload}`],
        ['alg none, the real signature', `${header}.${payload}.${s}`],
        ['HS512 with the right secret', forge(alice.accessToken, {}, TEST_JWT_SECRET, 'HS512')],
        ['payload tampered, old signature', `${h}.${tamperedPayload}.${s}`],
        ['signature stripped', `${h}.${p}.`],
        ['wrong audience', forge(alice.accessToken, { aud: 'someone-else' })],
        ['wrong issuer', forge(alice.accessToken, { iss: 'someone-else' })],
        ['no audience', forge(alice.accessToken, { aud: undefined })],
        ['no issuer', forge(alice.accessToken, { iss: undefined })],
        ['typ refresh', forge(alice.accessToken, { typ: 'refresh' })],
        ['no typ', forge(alice.accessToken, { typ: undefined })],
        ['no session id', forge(alice.accessToken, { sid: undefined })],
        ['unknown session', forge(alice.accessToken, { sid: randomUUID() })],
        ['malformed session id', forge(alice.accessToken, { sid: 'not-a-uuid' })],
        ['non-string session id', forge(alice.accessToken, { sid: 42 })],
        ['no subject', forge(alice.accessToken, { sub: undefined })],
        ['malformed subject', forge(alice.accessToken, { sub: 'not-a-uuid' })],
        ['not yet valid', forge(alice.accessToken, { nbf: now + 3600 })],
        ['garbage', 'garbage'],
        ['three garbage parts', 'not.a.token'],
        ['the refresh token', alice.refreshToken],
      ];
      for (const [why, token] of bad) {
        try {
          expectRefused(await me(token), 'UNAUTHENTICATED');
        } catch (error) {
          throw new Error(`${why}: ${(error as Error).message}`);
        }
      }
      // The genuine token still works after all that.
      await expectMeWorks(alice.accessToken, alice.id);
    });

    it('refuses a missing, empty or non-Bearer Authorization header', async () => {
      for (const header of [
        'Bearer',
        'Bearer ',
        'Bearer    ',
        `Basic ${Buffer.from('a:b').toString('base64')}`,
        alice.accessToken,
        `Token ${alice.accessToken}`,
        '',
      ]) {
        try {
          expectRefused(await rawGql(ME, header), 'UNAUTHENTICATED');
        } catch (error) {
          throw new Error(
            `header ${JSON.stringify(header.slice(0, 20))}: ${(error as Error).message}`,
          );
        }
      }
      expectRefused(await rawGql(ME), 'UNAUTHENTICATED');
      const ok = await rawGql(ME, `bearer ${alice.accessToken}`);
      expect(ok.errors).toBeUndefined();
    });

    it('closes a WebSocket that presents a forged, expired or unsigned token with 4403', async () => {
      const now = Math.floor(Date.now() / 1000);
      const tokens = [
        forge(alice.accessToken, {}, 'another-secret-that-is-long-enough-0123456789'),
        forge(alice.accessToken, { iat: now - 3600, exp: now - 60 }),
        `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ ...claimsOf(alice.accessToken), exp: now + 600 })}.`,
        forge(alice.accessToken, { typ: 'refresh' }),
        forge(alice.accessToken, { aud: 'someone-else' }),
      ];
      for (const token of tokens) {
        const { client, closed } = wsClient(app.url, token);
        subscribe(client, GAME_EVENTS, { playerId: ANY_UUID });
        expect(await closed).toBe(4403);
        await client.dispose();
      }
    });
  });

  // ---------------------------------------------------------------- refreshTokens

  describe('refreshTokens', () => {
    it('rotates: a new pair in the same session, the new access token works, the old refresh token is spent', async () => {
      const alice = await registerUser(app);
      const sid = claimsOf(alice.accessToken).sid;
      const res = await refresh(alice.refreshToken);
      expect(res.errors).toBeUndefined();
      const pair = res.data!.refreshTokens;
      expect(pair.user).toMatchObject({ id: alice.id, username: alice.username, role: 'PLAYER' });
      expect(pair.refreshToken).not.toBe(alice.refreshToken);
      expect(pair.expiresIn).toBeGreaterThan(0);
      expect(claimsOf(pair.accessToken)).toMatchObject({ sub: alice.id, sid, typ: 'access' });
      await expectMeWorks(pair.accessToken, alice.id);

      const sessions = await sessionsOf(alice.id);
      expect(sessions).toEqual([{ id: sid, revoked_at: null, revoked_reason: null }]);
      const hash = (t: string) => createHash('sha256').update(t).digest('hex');
      const tokens = await refreshTokensOf(alice.id);
      expect(tokens).toHaveLength(2);
      expect(tokens.find((t) => t.token_hash === hash(alice.refreshToken))!.used_at).not.toBeNull();
      expect(tokens.find((t) => t.token_hash === hash(pair.refreshToken))!.used_at).toBeNull();

      // The new refresh token rotates in turn.
      const again = await refresh(pair.refreshToken);
      expect(again.errors).toBeUndefined();
      await expectMeWorks(again.data!.refreshTokens.accessToken, alice.id);
    });

    it('revokes the whole session when a spent refresh token is presented again', async () => {
      const alice = await registerUser(app);
      const other = await loginOk(alice.username);
      const sid = claimsOf(alice.accessToken).sid;
      const first = (await refresh(alice.refreshToken)).data!.refreshTokens;
      const second = (await refresh(first.refreshToken)).data!.refreshTokens;
      // Every access token of the family works (and the session state is now cached as live).
      for (const token of [alice.accessToken, first.accessToken, second.accessToken])
        await expectMeWorks(token, alice.id);

      const reuse = await refresh(alice.refreshToken);
      expectRefused(reuse, 'UNAUTHENTICATED');
      const session = await sessionRow(sid);
      expect(session.revoked_at).not.toBeNull();
      expect(session.revoked_reason).toBe('REFRESH_TOKEN_REUSE');

      // The newest refresh token of the family is dead, and so is every access token of the session.
      expectRefused(await refresh(second.refreshToken), 'UNAUTHENTICATED');
      for (const token of [alice.accessToken, first.accessToken, second.accessToken])
        expectRefused(await me(token), 'UNAUTHENTICATED');
      // Presenting the spent token once more changes nothing.
      expectRefused(await refresh(first.refreshToken), 'UNAUTHENTICATED');
      expect((await sessionRow(sid)).revoked_reason).toBe('REFRESH_TOKEN_REUSE');

      // The user's other session is untouched.
      const otherSid = claimsOf(other.accessToken).sid;
      expect(await sessionRow(otherSid)).toEqual({
        id: otherSid,
        revoked_at: null,
        revoked_reason: null,
      });
      await expectMeWorks(other.accessToken, alice.id);
      const rotated = await refresh(other.refreshToken);
      expect(rotated.errors).toBeUndefined();
      await expectMeWorks(rotated.data!.refreshTokens.accessToken, alice.id);
    });

    it('refuses a forged or random refresh token and revokes nothing', async () => {
      const alice = await registerUser(app);
      const tokensBefore = await refreshTokensOf(alice.id);
      const forged = [
        `rt_${randomBytes(32).toString('base64url')}`,
        `${alice.refreshToken.slice(0, -2)}${alice.refreshToken.endsWith('AA') ? 'BB' : 'AA'}`,
        alice.refreshToken.toUpperCase() === alice.refreshToken
          ? `${alice.refreshToken}x`
          : alice.refreshToken.toUpperCase(),
        `${alice.refreshToken} `,
        createHash('sha256').update(alice.refreshToken).digest('hex'),
        alice.accessToken,
        'garbage',
        'x'.repeat(10_000),
      ];
      for (const token of forged) expectRefused(await refresh(token), 'UNAUTHENTICATED');
      expect(await sessionsOf(alice.id)).toEqual([
        { id: claimsOf(alice.accessToken).sid, revoked_at: null, revoked_reason: null },
      ]);
      expect(await refreshTokensOf(alice.id)).toEqual(tokensBefore);
      await expectMeWorks(alice.accessToken, alice.id);
      expect((await refresh(alice.refreshToken)).errors).toBeUndefined();
    });

    it('lets at most one of 10 simultaneous refreshes with the same token win, and ends the family', async () => {
      const alice = await registerUser(app);
      const sid = claimsOf(alice.accessToken).sid;
      const results = await Promise.all(
        Array.from({ length: 10 }, () => refresh(alice.refreshToken)),
      );
      const winners = results.filter((r) => !r.errors);
      expect(winners.length).toBeLessThanOrEqual(1);
      for (const res of results.filter((r) => r.errors)) expectRefused(res, 'UNAUTHENTICATED');
      // The first exchange of a live token is not reuse, so one request did win.
      expect(winners).toHaveLength(1);

      const session = await sessionRow(sid);
      expect(session.revoked_at).not.toBeNull();
      expect(session.revoked_reason).toBe('REFRESH_TOKEN_REUSE');
      // One rotation happened, no more.
      expect(await refreshTokensOf(alice.id)).toHaveLength(2);
      const won = winners[0].data!.refreshTokens;
      expectRefused(await refresh(won.refreshToken), 'UNAUTHENTICATED');
      expectRefused(await me(won.accessToken), 'UNAUTHENTICATED');
      expectRefused(await me(alice.accessToken), 'UNAUTHENTICATED');
    });
  });

  // ---------------------------------------------------------------- logout

  describe('logout', () => {
    it('ends that session only: its refresh and access tokens stop working, the other session goes on', async () => {
      const alice = await registerUser(app);
      const other = await loginOk(alice.email);
      const sid = claimsOf(alice.accessToken).sid;
      await expectMeWorks(alice.accessToken, alice.id); // session state now cached as live

      const res = await app.gql(LOGOUT, { token: alice.refreshToken }, alice.accessToken);
      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual({ logout: true });
      const session = await sessionRow(sid);
      expect(session.revoked_at).not.toBeNull();
      expect(session.revoked_reason).toBe('LOGOUT');

      expectRefused(await refresh(alice.refreshToken), 'UNAUTHENTICATED');
      expectRefused(await me(alice.accessToken), 'UNAUTHENTICATED');
      // A refused refresh after logout is not "reuse": the reason stays LOGOUT.
      expect((await sessionRow(sid)).revoked_reason).toBe('LOGOUT');

      const otherSid = claimsOf(other.accessToken).sid;
      expect(await sessionRow(otherSid)).toEqual({
        id: otherSid,
        revoked_at: null,
        revoked_reason: null,
      });
      await expectMeWorks(other.accessToken, alice.id);
      expect((await refresh(other.refreshToken)).errors).toBeUndefined();
    });

    it('ends the session for the access tokens issued by earlier rotations too', async () => {
      const alice = await registerUser(app);
      const rotated = (await refresh(alice.refreshToken)).data!.refreshTokens;
      await expectMeWorks(alice.accessToken, alice.id);
      const res = await app.gql(LOGOUT, { token: rotated.refreshToken }, rotated.accessToken);
      expect(res.data).toEqual({ logout: true });
      expectRefused(await me(alice.accessToken), 'UNAUTHENTICATED');
      expectRefused(await me(rotated.accessToken), 'UNAUTHENTICATED');
      expectRefused(await refresh(rotated.refreshToken), 'UNAUTHENTICATED');
    });

    it('requires an access token, and revokes nothing without one', async () => {
      const alice = await registerUser(app);
      expectRefused(await app.gql(LOGOUT, { token: alice.refreshToken }), 'UNAUTHENTICATED');
      expectRefused(
        await app.gql(LOGOUT, { token: alice.refreshToken }, 'garbage'),
        'UNAUTHENTICATED',
      );
      expect(await sessionsOf(alice.id)).toEqual([
        { id: claimsOf(alice.accessToken).sid, revoked_at: null, revoked_reason: null },
      ]);
      await expectMeWorks(alice.accessToken, alice.id);
      expect((await refresh(alice.refreshToken)).errors).toBeUndefined();
    });

    it("refuses another user's refresh token, or a forged one, and leaves that session alone", async () => {
      const alice = await registerUser(app);
      const bob = await registerUser(app);
      const bobSid = claimsOf(bob.accessToken).sid;
      const aliceSid = claimsOf(alice.accessToken).sid;
      expectRefused(
        await app.gql(LOGOUT, { token: bob.refreshToken }, alice.accessToken),
        'UNAUTHENTICATED',
      );
      expectRefused(
        await app.gql(
          LOGOUT,
          { token: `rt_${randomBytes(32).toString('base64url')}` },
          alice.accessToken,
        ),
        'UNAUTHENTICATED',
      );
      expect(await sessionRow(bobSid)).toEqual({
        id: bobSid,
        revoked_at: null,
        revoked_reason: null,
      });
      expect(await sessionRow(aliceSid)).toEqual({
        id: aliceSid,
        revoked_at: null,
        revoked_reason: null,
      });
      await expectMeWorks(bob.accessToken, bob.id);
      await expectMeWorks(alice.accessToken, alice.id);
      expect((await refresh(bob.refreshToken)).errors).toBeUndefined();
    });

    it('closes a WebSocket presenting an access token of a logged-out session with 4403', async () => {
      const alice = await registerUser(app);
      const player = await createPlayer(app, alice);
      // Control: before logout the same token opens a connection and a subscription.
      const live = wsClient(app.url, alice.accessToken);
      try {
        subscribe(live.client, GAME_EVENTS, { playerId: player.id });
        await waitFor(
          () => app.bus.localSubscribers(gameEventsTopic(player.id)) > 0,
          5_000,
          'subscription',
        );
      } finally {
        await live.client.dispose();
      }
      await waitFor(
        () => app.bus.localSubscribers(gameEventsTopic(player.id)) === 0,
        5_000,
        'unsubscribe',
      );

      expect(
        (await app.gql(LOGOUT, { token: alice.refreshToken }, alice.accessToken)).data,
      ).toEqual({ logout: true });
      const { client, closed } = wsClient(app.url, alice.accessToken);
      const sub = subscribe(client, GAME_EVENTS, { playerId: player.id });
      expect(await closed).toBe(4403);
      expect(app.bus.localSubscribers(gameEventsTopic(player.id))).toBe(0);
      sub.stop();
      await client.dispose();
    });
  });

  // ---------------------------------------------------------------- roles

  describe('roles', () => {
    it('reports ADMIN after a promotion, in the new login and in me', async () => {
      const alice = await registerUser(app);
      await app.sql(`update users set role = 'ADMIN' where id = ?`, [alice.id]);
      const payload = await loginOk(alice.username);
      expect(payload.user.role).toBe('ADMIN');
      expect(claimsOf(payload.accessToken).role).toBe('ADMIN');
      const res = await me(payload.accessToken);
      expect(res.data!.me).toMatchObject({ id: alice.id, role: 'ADMIN' });
      // Another, untouched account stays a player.
      const bob = await registerUser(app);
      expect((await me(bob.accessToken)).data!.me.role).toBe('PLAYER');
    });

    it('does not let a client choose its role at registration', async () => {
      const username = uniqueName();
      const res = await app.gql(
        `mutation { register(input: { username: "${username}", email: "${username}@example.com", password: "${PASSWORD}", role: ADMIN }) { user { role } } }`,
      );
      expectRefused(res, 'GRAPHQL_VALIDATION_FAILED');
      expect(await userRows(username, `${username}@example.com`)).toEqual([]);
    });
  });
});
