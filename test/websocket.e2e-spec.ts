import { JwtService } from '@nestjs/jwt';
import WebSocket from 'ws';
import { AppCache } from '../src/infra/cache/app-cache';
import { MetricsService } from '../src/infra/metrics/metrics.service';
import { gameEventsTopic } from '../src/modules/events/events.service';
import { createPlayer, registerUser, TestUser } from './support/factories';
import { bootTestApp, TestApp } from './support/test-app';
import { subscribe, waitFor } from './support/ws';
import { closableSocket } from './support/ws-ops';

const GAME_EVENTS = `subscription($p: ID!) { gameEvents(playerId: $p) { id type } }`;

/** A socket that stays open: resolves once the server acknowledged it. */
async function connected(app: TestApp, token?: string) {
  const socket = closableSocket(app.url, token);
  let ack = false;
  socket.client.on('connected', () => (ack = true));
  await Promise.race([
    waitFor(() => ack, 5_000, 'connection_ack'),
    socket.closed.then((code) => Promise.reject(new Error(`closed with ${code}`))),
  ]);
  return socket;
}

const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as {
    sid: string;
    sub: string;
  };

async function gauge(app: TestApp, name: 'openSockets' | 'openSubscriptions'): Promise<number> {
  return (await app.running.app.get(MetricsService)[name].get()).values[0]?.value ?? 0;
}

describe('WebSocket hygiene', () => {
  let app: TestApp;
  let alice: TestUser;
  let player: Record<string, any>;
  beforeAll(async () => {
    app = await bootTestApp({
      WS_CONNECTION_INIT_TIMEOUT_MS: '300',
      WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '2',
      WS_MAX_CONNECTIONS_PER_USER: '2',
      // An hour: what closes sockets below is the expiry timer and the revocation event.
      WS_AUTH_CHECK_INTERVAL_MS: '3600000',
    });
    alice = await registerUser(app);
    player = await createPlayer(app, alice);
  });
  afterAll(() => app.close());

  it('closes a socket that does not send connection_init in time (4408)', async () => {
    const ws = new WebSocket(app.url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws');
    const code = await new Promise<number>((resolve) => ws.on('close', (c) => resolve(c)));
    expect(code).toBe(4408);
  });

  it('caps operations per connection: the extra subscribe is refused, the socket stays', async () => {
    const topic = gameEventsTopic(player.id);
    const { client } = await connected(app, alice.accessToken);
    try {
      const first = subscribe(client, GAME_EVENTS, { p: player.id });
      const second = subscribe(client, GAME_EVENTS, { p: player.id });
      await waitFor(() => app.bus.localSubscribers(topic) === 2, 5_000, 'two subscriptions');
      const third = subscribe(client, GAME_EVENTS, { p: player.id });
      const refused = await third.next();
      expect(refused.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
      expect(refused.errors?.[0].message).toMatch(/at most 2/);
      expect(refused.errors?.[0].extensions?.retryAfter).toBe(1);
      expect(app.bus.localSubscribers(topic)).toBe(2);
      // Ending one makes room again.
      first.stop();
      await waitFor(() => app.bus.localSubscribers(topic) === 1, 5_000, 'one subscription');
      const fourth = subscribe(client, GAME_EVENTS, { p: player.id });
      await waitFor(() => app.bus.localSubscribers(topic) === 2, 5_000, 'room again');
      second.stop();
      fourth.stop();
    } finally {
      await client.dispose();
    }
  });

  it('caps sockets per user (4429) and counts open sockets and subscriptions', async () => {
    const user = await registerUser(app);
    const own = await createPlayer(app, user);
    const sockets0 = await gauge(app, 'openSockets');
    const subs0 = await gauge(app, 'openSubscriptions');
    const a = await connected(app, user.accessToken);
    const b = await connected(app, user.accessToken);
    expect(await gauge(app, 'openSockets')).toBe(sockets0 + 2);
    const sub = subscribe(a.client, GAME_EVENTS, { p: own.id });
    await waitFor(async () => (await gauge(app, 'openSubscriptions')) === subs0 + 1);

    const third = closableSocket(app.url, user.accessToken);
    expect(await third.closed).toBe(4429);
    // Someone else is not affected.
    const other = await connected(app, alice.accessToken);

    sub.stop();
    await waitFor(async () => (await gauge(app, 'openSubscriptions')) === subs0);
    await a.client.dispose();
    expect(await a.closed).toBe(1000);
    const again = await connected(app, user.accessToken);
    await Promise.all([b.client.dispose(), again.client.dispose(), other.client.dispose()]);
    await waitFor(async () => (await gauge(app, 'openSockets')) === sockets0);
  });

  it('closes the socket (4403) when its access token expires', async () => {
    const { sid, sub } = claimsOf(alice.accessToken);
    const jwt = app.running.app.get(JwtService);
    const shortLived = jwt.sign({ sub, sid, role: 'PLAYER', typ: 'access' }, { expiresIn: 2 });
    const socket = await connected(app, shortLived);
    const events = subscribe(socket.client, GAME_EVENTS, { p: player.id });
    await waitFor(() => app.bus.localSubscribers(gameEventsTopic(player.id)) === 1);
    expect(await socket.closed).toBe(4403);
    await waitFor(() => app.bus.localSubscribers(gameEventsTopic(player.id)) === 0);
    events.stop();
  });

  it('closes the sockets of a session at once when it logs out, and only those', async () => {
    const bob = await registerUser(app);
    const bobPlayer = await createPlayer(app, bob);
    const secondSession = (
      await app.gql(`mutation($i: LoginInput!) { login(input: $i) { accessToken refreshToken } }`, {
        i: { login: bob.username, password: 'correct-horse-battery-42' },
      })
    ).data!.login;
    const ending = await connected(app, bob.accessToken);
    const staying = await connected(app, secondSession.accessToken);
    subscribe(ending.client, GAME_EVENTS, { p: bobPlayer.id });
    const kept = subscribe(staying.client, GAME_EVENTS, { p: bobPlayer.id });
    await waitFor(() => app.bus.localSubscribers(gameEventsTopic(bobPlayer.id)) === 2);

    const res = await app.gql(
      `mutation($t: String!) { logout(refreshToken: $t) }`,
      { t: bob.refreshToken },
      bob.accessToken,
    );
    expect(res.data?.logout).toBe(true);
    expect(await ending.closed).toBe(4403);
    await waitFor(() => app.bus.localSubscribers(gameEventsTopic(bobPlayer.id)) === 1);
    // The other session's subscription still delivers.
    await app.gql(
      `mutation($p: ID!, $l: ID!) { travel(playerId: $p, locationId: $l) { id } }`,
      { p: bobPlayer.id, l: 'gilded-tankard' },
      secondSession.accessToken,
    );
    expect((await kept.next()).data?.gameEvents.type).toBeDefined();
    await staying.client.dispose();
  });
});

describe('WebSocket re-check of sessions', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await bootTestApp({ WS_AUTH_CHECK_INTERVAL_MS: '200' });
  });
  afterAll(() => app.close());

  it('closes a socket whose session was revoked without an event reaching it', async () => {
    const user = await registerUser(app);
    const socket = await connected(app, user.accessToken);
    // What another instance's logout leaves in the shared cache, had its event been lost.
    await app.running.app
      .get(AppCache)
      .set(`session:revoked:${claimsOf(user.accessToken).sid}`, true, 60_000);
    expect(await socket.closed).toBe(4403);
  });
});
