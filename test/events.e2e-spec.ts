import { EntityManager } from '@mikro-orm/postgresql';
import { EventType } from '../src/modules/events/event-type.enum';
import { EventsService, gameEventsTopic } from '../src/modules/events/events.service';
import { Player } from '../src/modules/players/player.entity';
import { createPlayer, errorCode, registerUser, TestUser } from './support/factories';
import { countStatements } from './support/statements';
import { bootTestApp, TestApp } from './support/test-app';
import { subscribe, waitFor, wsClient } from './support/ws';

const EVENTS_PAGE = `query($id: ID!, $first: Int, $after: String) {
  player(id: $id) { events(first: $first, after: $after) { edges { cursor node { id playerId type name data createdAt } } pageInfo { hasNextPage endCursor } } }
}`;
const GAME_EVENTS = `subscription($playerId: ID!) { gameEvents(playerId: $playerId) { id playerId type name data createdAt } }`;

describe('events', () => {
  let app: TestApp;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    app = await bootTestApp();
    alice = await registerUser(app);
    bob = await registerUser(app);
  });
  afterAll(() => app.close());

  it('records PLAYER_CREATED in the log, readable as a Relay connection', async () => {
    const player = await createPlayer(app, alice, { characterClass: 'ROGUE' });
    const res = await app.gql(EVENTS_PAGE, { id: player.id }, alice.accessToken);
    expect(res.errors).toBeUndefined();
    const { edges, pageInfo } = res.data!.player.events;
    // The creation, then the starter kit recorded in the same transaction.
    expect(edges.map((e: any) => e.node.type)).toEqual([
      'PLAYER_CREATED',
      'ITEM_ACQUIRED',
      'ITEM_ACQUIRED',
      'ITEM_EQUIPPED',
    ]);
    expect(edges[0].node).toMatchObject({
      playerId: player.id,
      type: 'PLAYER_CREATED',
      data: { characterClass: 'ROGUE' },
    });
    expect(new Date(edges[0].node.createdAt).getTime()).not.toBeNaN();
    expect(pageInfo).toEqual({ hasNextPage: false, endCursor: edges[3].cursor });
  });

  it('pages oldest first and refuses a malformed cursor or page size', async () => {
    const player = await createPlayer(app, alice);
    // Three more events for the same character, straight into the log.
    for (let i = 0; i < 3; i++) {
      await app.sql(
        `insert into game_events (player_id, type, name, data, created_at) values (?, 'PLAYER_CREATED', ?, '{}', now())`,
        [player.id, `e${i}`],
      );
    }
    // Creation and its starter kit (3 events), then e0.
    const first = await app.gql(EVENTS_PAGE, { id: player.id, first: 5 }, alice.accessToken);
    const page1 = first.data!.player.events;
    expect(page1.edges.map((e: any) => e.node.name)).toEqual([
      expect.stringContaining('was created'),
      expect.stringContaining('acquired'),
      expect.stringContaining('acquired'),
      expect.stringContaining('equipped'),
      'e0',
    ]);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const second = await app.gql(
      EVENTS_PAGE,
      { id: player.id, first: 2, after: page1.pageInfo.endCursor },
      alice.accessToken,
    );
    const page2 = second.data!.player.events;
    expect(page2.edges.map((e: any) => e.node.name)).toEqual(['e1', 'e2']);
    expect(page2.pageInfo.hasNextPage).toBe(false);

    const badCursor = await app.gql(
      EVENTS_PAGE,
      { id: player.id, after: 'not-a-cursor' },
      alice.accessToken,
    );
    expect(errorCode(badCursor)).toBe('BAD_USER_INPUT');
    expect(badCursor.errors![0].extensions.fields).toEqual(['after']);
    for (const first of [0, -1, 101]) {
      const bad = await app.gql(EVENTS_PAGE, { id: player.id, first }, alice.accessToken);
      expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    }
  });

  it('streams a character’s events to its owner over graphql-ws', async () => {
    const player = await createPlayer(app, alice);
    const { client } = wsClient(app.url, alice.accessToken);
    try {
      const sub = subscribe(client, GAME_EVENTS, { playerId: player.id });
      await waitFor(
        () => app.bus.localSubscribers(gameEventsTopic(player.id)) > 0,
        5_000,
        'subscription',
      );
      const del = await app.gql(
        `mutation($id: ID!) { deletePlayer(id: $id) }`,
        { id: player.id },
        alice.accessToken,
      );
      expect(del.data).toEqual({ deletePlayer: true });
      const message = await sub.next();
      expect(message.errors).toBeUndefined();
      expect(message.data!.gameEvents).toMatchObject({
        playerId: player.id,
        type: 'PLAYER_DELETED',
      });
      expect(new Date(message.data!.gameEvents.createdAt).toISOString()).toBe(
        message.data!.gameEvents.createdAt,
      );
    } finally {
      await client.dispose();
    }
  });

  it("refuses a subscription to another user's character, and sends it nothing", async () => {
    const player = await createPlayer(app, alice);
    const { client } = wsClient(app.url, bob.accessToken);
    try {
      const sub = subscribe(client, GAME_EVENTS, { playerId: player.id });
      const message = await sub.next();
      expect(message.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND' });
      await sub.ended;
      expect(app.bus.localSubscribers(gameEventsTopic(player.id))).toBe(0);
    } finally {
      await client.dispose();
    }
  });

  it('answers an anonymous subscription with UNAUTHENTICATED', async () => {
    const player = await createPlayer(app, alice);
    const { client } = wsClient(app.url);
    try {
      const message = await subscribe(client, GAME_EVENTS, { playerId: player.id }).next();
      expect(message.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    } finally {
      await client.dispose();
    }
  });

  it('closes a connection that presents an invalid token with 4403', async () => {
    const { client, closed } = wsClient(app.url, 'not.a.token');
    subscribe(client, GAME_EVENTS, { playerId: '00000000-0000-4000-8000-000000000000' });
    expect(await closed).toBe(4403);
    await client.dispose();
  });

  it('writes no event when the change it would record is refused', async () => {
    const player = await createPlayer(app, alice);
    // Only Bob's rows: other test files write events to the same database meanwhile.
    const bobsEvents = () =>
      app.sql(
        `select count(*)::int as n from game_events e join players p on p.id = e.player_id where p.user_id = ?`,
        [bob.id],
      );
    const before = await bobsEvents();
    const dup = await app.gql(
      `mutation($input: CreatePlayerInput!) { createPlayer(input: $input) { id } }`,
      { input: { characterName: player.characterName, characterClass: 'MAGE' } },
      bob.accessToken,
    );
    expect(errorCode(dup)).toBe('CONFLICT');
    expect(await bobsEvents()).toEqual(before);
    expect(
      await app.sql(`select count(*)::int as n from players where user_id = ?`, [bob.id]),
    ).toEqual([{ n: 0 }]);
  });

  it('a change made at once writes its events in its own statement, and leaves reactions to a transaction', async () => {
    const player = await createPlayer(app, alice);
    const events = app.running.app.get(EventsService);
    const em = app.running.app.get(EntityManager).fork();
    const hero = await em.findOneOrFail(Player, player.id);
    const types = async () =>
      (
        await app.sql<{ type: string }>(
          'select type from game_events where player_id = ? order by id',
          [player.id],
        )
      ).map((r) => r.type);
    const before = await types();
    const written = await events.atOnce(async (log) => {
      log.record(hero, EventType.GOLD_CHANGED, 'a coin', { amount: 1 });
      const pending = await log.take();
      const { sql, params } = pending.insert();
      pending.written((await em.execute<{ id: string }[]>(sql, params)).map((r) => r.id));
      return 'written';
    });
    expect(written).toBe('written');
    expect(await types()).toEqual([...before, EventType.GOLD_CHANGED]);

    // Travelling advances VISIT objectives (a reaction): that takes a transaction.
    let wrote = false;
    const refused = await events.atOnce(async (log) => {
      log.record(hero, EventType.TRAVELLED, 'a step', { to: 'nowhere' });
      await log.take();
      wrote = true;
      return 'written';
    });
    expect([refused, wrote]).toEqual([undefined, false]);
    expect(await types()).toEqual([...before, EventType.GOLD_CHANGED]);
  });

  it("reads every character's page of events in one statement, each page its own", async () => {
    const carol = await registerUser(app);
    const MY_LOGS = `{ me { players { id events(first: 2) {
      edges { node { id playerId } } pageInfo { hasNextPage } } } } }`;
    await createPlayer(app, carol);
    const one = await countStatements(app, () => app.gql(MY_LOGS, {}, carol.accessToken));
    await createPlayer(app, carol);
    await createPlayer(app, carol);
    let res: any;
    const three = await countStatements(
      app,
      async () => (res = await app.gql(MY_LOGS, {}, carol.accessToken)),
    );
    expect(three).toBe(one);
    const logs = res.data.me.players as { id: string; events: any }[];
    expect(logs).toHaveLength(3);
    for (const log of logs) {
      const ids = (
        await app.sql<{ id: string }>(
          'select id::text from game_events where player_id = ? order by id',
          [log.id],
        )
      ).map((r) => r.id);
      expect(log.events.edges.map((e: any) => [e.node.id, e.node.playerId])).toEqual(
        ids.slice(0, 2).map((id) => [id, log.id]),
      );
      expect(log.events.pageInfo.hasNextPage).toBe(ids.length > 2);
    }
  });
});
