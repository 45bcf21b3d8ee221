import { randomUUID } from 'node:crypto';
import { gameEventsTopic, locationEventsTopic } from '../src/modules/events/events.service';
import { NpcRole } from '../src/modules/world/npc-role';
import { LOCATIONS, NPCS, PATHS, STARTING_LOCATION_ID } from '../src/modules/world/world.seed';
import { createPlayer, errorCode, registerUser, TestUser } from './support/factories';
import { bootTestApp, GqlResult, TestApp } from './support/test-app';
import { countStatements } from './support/statements';
import { subscribe, Subscription, waitFor, wsClient } from './support/ws';

const SQUARE: string = STARTING_LOCATION_ID;
const INN = 'gilded-tankard';
const MARKET = 'millbrook-market';
const WOODS = 'woodsedge';
/** Far from the square: not one of its exits. */
const ELDER_OAK = 'elder-oak';

const LOCATION_FIELDS = `id name description region
  exits { id name }
  npcs { id name description role }
  playersHere { id characterName characterClass level }`;
const LOCATION = `query($id: ID!) { location(id: $id) { ${LOCATION_FIELDS} } }`;
const LOCATIONS_QUERY = `{ locations { ${LOCATION_FIELDS} } }`;
const TRAVEL = `mutation($playerId: ID!, $locationId: ID!) {
  travel(playerId: $playerId, locationId: $locationId) { id health location { id name region } }
}`;
const PLAYER_LOCATION = `query($id: ID!) { player(id: $id) { id location { id name region exits { id } } } }`;
const GAME_EVENTS = `subscription($playerId: ID!) { gameEvents(playerId: $playerId) { id playerId type name data createdAt } }`;
const LOCATION_EVENTS = `subscription($locationId: ID!) { locationEvents(locationId: $locationId) { id playerId type name data createdAt } }`;

/** Neighbours of each location according to the seed (paths are two-way). */
const SEED_EXITS = new Map<string, string[]>(LOCATIONS.map((l) => [l.id, []]));
for (const [a, b] of PATHS) {
  SEED_EXITS.get(a)!.push(b);
  SEED_EXITS.get(b)!.push(a);
}
const nameOf = (id: string) => LOCATIONS.find((l) => l.id === id)!.name;

/** One error with this code (and these fields, if given), a timestamp, and no data. */
function expectRefused(res: GqlResult, code: string, fields?: string[]): void {
  expect(errorCode(res)).toBe(code);
  const { extensions } = res.errors![0];
  expect(new Date(extensions.timestamp).toISOString()).toBe(extensions.timestamp);
  if (fields) expect(extensions.fields).toEqual(fields);
  expect(res.data ?? null).toBeNull();
}

describe('world', () => {
  let app: TestApp;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    // Room for the 20-character N+1 test.
    app = await bootTestApp({ MAX_PLAYERS_PER_USER: '25' });
    alice = await registerUser(app);
    bob = await registerUser(app);
  });
  afterAll(() => app.close());

  const travel = (user: TestUser | undefined, playerId: string, locationId: string) =>
    app.gql(TRAVEL, { playerId, locationId }, user?.accessToken);

  async function locationOf(playerId: string): Promise<string> {
    const [row] = await app.sql<{ location_id: string }>(
      `select location_id from players where id = ?`,
      [playerId],
    );
    return row.location_id;
  }

  async function travelled(playerId: string): Promise<{ name: string; data: any }[]> {
    return app.sql(
      `select name, data from game_events where player_id = ? and type = 'TRAVELLED' order by id`,
      [playerId],
    );
  }

  describe('the seeded map', () => {
    it('holds exactly the seed: 14+ locations in 3+ regions, 10+ NPCs with the roles a town needs', async () => {
      const locations = await app.sql(
        `select id, name, description, region from locations order by id`,
      );
      expect(locations).toEqual(
        [...LOCATIONS]
          .sort((a, b) => a.id.localeCompare(b.id))
          .map(({ id, name, description, region }) => ({ id, name, description, region })),
      );
      expect(locations.length).toBeGreaterThanOrEqual(14);
      expect(new Set(locations.map((l) => l.region)).size).toBeGreaterThanOrEqual(3);

      const npcs = await app.sql(
        `select id, name, description, role, location_id from npcs order by id`,
      );
      expect(npcs).toEqual(
        [...NPCS]
          .sort((a, b) => a.id.localeCompare(b.id))
          .map(({ id, name, description, role, locationId }) => ({
            id,
            name,
            description,
            role,
            location_id: locationId,
          })),
      );
      expect(npcs.length).toBeGreaterThanOrEqual(10);
      const roles = new Set(npcs.map((n) => n.role));
      for (const role of ['MERCHANT', 'QUEST_GIVER', 'INNKEEPER', 'BLACKSMITH'])
        expect(roles).toContain(role);
    });

    it('has two-way exits only, and every location reachable from the starting square', async () => {
      const exits = await app.sql<{ from: string; to: string }>(
        `select from_location_id as "from", to_location_id as "to" from location_exits`,
      );
      expect(exits).toHaveLength(PATHS.length * 2);
      const pairs = new Set(exits.map((e) => `${e.from}>${e.to}`));
      for (const { from, to } of exits) expect(pairs).toContain(`${to}>${from}`);

      // Breadth-first search over what the database holds, not over the seed file.
      const ids = (await app.sql<{ id: string }>(`select id from locations`)).map((r) => r.id);
      const seen = new Set([SQUARE]);
      const queue = [SQUARE];
      while (queue.length > 0) {
        const here = queue.shift()!;
        for (const { to } of exits.filter((e) => e.from === here)) {
          if (!seen.has(to)) {
            seen.add(to);
            queue.push(to);
          }
        }
      }
      expect([...seen].sort()).toEqual([...ids].sort());
    });

    it('refuses a one-way loop and a character in a place that does not exist (database constraints)', async () => {
      await expect(
        app.sql(`insert into location_exits values (?, ?)`, [SQUARE, SQUARE]),
      ).rejects.toThrow(/violates check constraint/);
      const player = await createPlayer(app, alice);
      await expect(
        app.sql(`update players set location_id = 'atlantis' where id = ?`, [player.id]),
      ).rejects.toThrow(/violates foreign key constraint/);
      expect(await locationOf(player.id)).toBe(SQUARE);
    });
  });

  describe('locations', () => {
    it('lists the whole map by region then name, with exits and NPCs as seeded', async () => {
      const res = await app.gql(LOCATIONS_QUERY, {}, alice.accessToken);
      expect(res.errors).toBeUndefined();
      const locations = res.data!.locations;
      const expectedOrder = [...LOCATIONS]
        .sort((a, b) => a.region.localeCompare(b.region) || a.name.localeCompare(b.name))
        .map((l) => l.id);
      expect(locations.map((l: any) => l.id)).toEqual(expectedOrder);
      for (const location of locations) {
        const seed = LOCATIONS.find((l) => l.id === location.id)!;
        expect(location).toMatchObject({
          name: seed.name,
          description: seed.description,
          region: seed.region,
        });
        expect(location.exits.map((e: any) => e.id).sort()).toEqual(
          [...SEED_EXITS.get(location.id)!].sort(),
        );
        const names = location.exits.map((e: any) => e.name);
        expect(names).toEqual([...names].sort((a: string, b: string) => a.localeCompare(b)));
        expect(location.npcs.map((n: any) => n.id).sort()).toEqual(
          NPCS.filter((n) => n.locationId === location.id)
            .map((n) => n.id)
            .sort(),
        );
      }
    });

    it('refuses an anonymous caller with UNAUTHENTICATED', async () => {
      expectRefused(await app.gql(LOCATIONS_QUERY), 'UNAUTHENTICATED');
    });
  });

  describe('location(id)', () => {
    it('returns one place with its exits, NPCs (persona and role) and the characters standing there', async () => {
      const mine = await createPlayer(app, alice, { characterClass: 'MAGE' });
      const theirs = await createPlayer(app, bob, { characterClass: 'ROGUE' });
      const res = await app.gql(LOCATION, { id: SQUARE }, alice.accessToken);
      expect(res.errors).toBeUndefined();
      const square = res.data!.location;
      expect(square).toMatchObject({ id: SQUARE, name: nameOf(SQUARE) });
      expect(square.exits.map((e: any) => e.id).sort()).toEqual(
        [...SEED_EXITS.get(SQUARE)!].sort(),
      );
      expect(square.npcs).toContainEqual({
        id: 'elder-rowan-ashby',
        name: 'Elder Rowan Ashby',
        description: NPCS.find((n) => n.id === 'elder-rowan-ashby')!.description,
        role: NpcRole.QUEST_GIVER,
      });
      // Anyone's characters, as the summary other users may see.
      for (const p of [mine, theirs]) {
        expect(square.playersHere).toContainEqual({
          id: p.id,
          characterName: p.characterName,
          characterClass: p.characterClass,
          level: 1,
        });
      }
    });

    it('offers other users nothing of a character beyond the summary', async () => {
      const res = await app.gql(
        `query($id: ID!) { location(id: $id) { playersHere { id gold } } }`,
        { id: SQUARE },
        bob.accessToken,
      );
      expect(errorCode(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    });

    it('leaves out deleted characters and characters that moved away', async () => {
      const gone = await createPlayer(app, alice);
      const moved = await createPlayer(app, alice);
      await app.gql(
        `mutation($id: ID!) { deletePlayer(id: $id) }`,
        { id: gone.id },
        alice.accessToken,
      );
      expect((await travel(alice, moved.id, INN)).errors).toBeUndefined();

      const square = (await app.gql(LOCATION, { id: SQUARE }, bob.accessToken)).data!.location;
      const ids = square.playersHere.map((p: any) => p.id);
      expect(ids).not.toContain(gone.id);
      expect(ids).not.toContain(moved.id);
      const inn = (await app.gql(LOCATION, { id: INN }, bob.accessToken)).data!.location;
      expect(inn.playersHere.map((p: any) => p.id)).toContain(moved.id);
    });

    it('reads an id in any letter case', async () => {
      const res = await app.gql(LOCATION, { id: 'Millbrook-SQUARE' }, alice.accessToken);
      expect(res.errors).toBeUndefined();
      expect(res.data!.location.id).toBe(SQUARE);
    });

    it('answers a well-formed id that names no place with NOT_FOUND', async () => {
      expectRefused(await app.gql(LOCATION, { id: 'atlantis' }, alice.accessToken), 'NOT_FOUND');
    });

    it.each([
      ['empty', ''],
      ['spaces', 'millbrook square'],
      ['an underscore', 'millbrook_square'],
      ['a leading hyphen', '-square'],
      ['a trailing hyphen', 'square-'],
      ['a double hyphen', 'millbrook--square'],
      ['quotes and SQL', "x'; drop table locations; --"],
      ['65 characters', 'a'.repeat(65)],
      ['non-ASCII letters', 'mîllbrook'],
    ])('refuses an id with %s as BAD_USER_INPUT on id', async (_label, id) => {
      expectRefused(await app.gql(LOCATION, { id }, alice.accessToken), 'BAD_USER_INPUT', ['id']);
    });

    it('refuses an anonymous caller with UNAUTHENTICATED', async () => {
      expectRefused(await app.gql(LOCATION, { id: SQUARE }), 'UNAUTHENTICATED');
    });
  });

  describe('Player.location', () => {
    it('puts a new character in the starting square', async () => {
      const player = await createPlayer(app, alice);
      const res = await app.gql(PLAYER_LOCATION, { id: player.id }, alice.accessToken);
      expect(res.errors).toBeUndefined();
      expect(res.data!.player.location).toMatchObject({
        id: SQUARE,
        name: nameOf(SQUARE),
        region: 'Millbrook',
      });
      expect(res.data!.player.location.exits.map((e: any) => e.id).sort()).toEqual(
        [...SEED_EXITS.get(SQUARE)!].sort(),
      );
    });
  });

  describe('travel', () => {
    it('moves a character along an exit and records TRAVELLED { from, to }', async () => {
      const player = await createPlayer(app, alice);
      const res = await travel(alice, player.id, INN);
      expect(res.errors).toBeUndefined();
      expect(res.data!.travel).toEqual({
        id: player.id,
        health: player.health,
        location: { id: INN, name: nameOf(INN), region: 'Millbrook' },
      });
      expect(await locationOf(player.id)).toBe(INN);
      expect(await travelled(player.id)).toEqual([
        {
          name: `${player.characterName} travelled from ${nameOf(SQUARE)} to ${nameOf(INN)}`,
          data: { from: SQUARE, to: INN },
        },
      ]);
      const events = await app.gql(
        `query($id: ID!) { player(id: $id) { events { edges { node { type data } } } } }`,
        { id: player.id },
        alice.accessToken,
      );
      expect(events.data!.player.events.edges.map((e: any) => e.node)).toContainEqual({
        type: 'TRAVELLED',
        data: { from: SQUARE, to: INN },
      });
    });

    it('walks a route across regions, one exit at a time', async () => {
      const player = await createPlayer(app, alice);
      const route = [
        WOODS,
        'whispering-glade',
        'greywillow-hollow',
        'smugglers-cove',
        'gullhaven-harbour',
        'saltmarsh-causeway',
        'old-mill',
        SQUARE,
      ];
      for (const step of route) {
        const res = await travel(alice, player.id, step);
        expect(res.errors).toBeUndefined();
        expect(res.data!.travel.location.id).toBe(step);
      }
      expect((await travelled(player.id)).map((e) => e.data)).toEqual(
        route.map((to, i) => ({ from: i === 0 ? SQUARE : route[i - 1], to })),
      );
    });

    it('refuses a place that is not an exit of where the character stands, and changes nothing', async () => {
      const player = await createPlayer(app, alice);
      const res = await travel(alice, player.id, ELDER_OAK);
      expectRefused(res, 'GAME_RULE_VIOLATION');
      const message = res.errors![0].message;
      expect(message).toContain(nameOf(SQUARE));
      expect(message).toContain(nameOf(ELDER_OAK));
      // It names the ways that do lead on.
      expect(message).toContain(nameOf(WOODS));
      expect(await locationOf(player.id)).toBe(SQUARE);
      expect(await travelled(player.id)).toEqual([]);
    });

    it('refuses travel to the place the character already stands', async () => {
      const player = await createPlayer(app, alice);
      const res = await travel(alice, player.id, SQUARE);
      expectRefused(res, 'GAME_RULE_VIOLATION');
      expect(res.errors![0].message).toContain('already');
      expect(await locationOf(player.id)).toBe(SQUARE);
      expect(await travelled(player.id)).toEqual([]);
    });

    it('refuses a character with no health left, until it is healed', async () => {
      const player = await createPlayer(app, alice);
      await app.sql(`update players set health = 0 where id = ?`, [player.id]);
      const res = await travel(alice, player.id, INN);
      expectRefused(res, 'GAME_RULE_VIOLATION');
      expect(res.errors![0].message).toContain('health');
      expect(await locationOf(player.id)).toBe(SQUARE);
      expect(await travelled(player.id)).toEqual([]);

      // Control: one point of health is enough.
      await app.sql(`update players set health = 1 where id = ?`, [player.id]);
      expect((await travel(alice, player.id, INN)).errors).toBeUndefined();
      expect(await locationOf(player.id)).toBe(INN);
    });

    it('answers an unknown place with NOT_FOUND', async () => {
      const player = await createPlayer(app, alice);
      expectRefused(await travel(alice, player.id, 'atlantis'), 'NOT_FOUND');
      expect(await locationOf(player.id)).toBe(SQUARE);
      expect(await travelled(player.id)).toEqual([]);
    });

    it("answers another user's character exactly like a missing one, and leaves it where it is", async () => {
      const player = await createPlayer(app, alice);
      const foreign = await travel(bob, player.id, INN);
      const missing = await travel(bob, randomUUID(), INN);
      expectRefused(foreign, 'NOT_FOUND');
      expectRefused(missing, 'NOT_FOUND');
      expect(foreign.errors![0].message).toBe(missing.errors![0].message);
      expect(await locationOf(player.id)).toBe(SQUARE);
      expect(await travelled(player.id)).toEqual([]);
    });

    it('answers a deleted character with NOT_FOUND', async () => {
      const player = await createPlayer(app, alice);
      await app.gql(
        `mutation($id: ID!) { deletePlayer(id: $id) }`,
        { id: player.id },
        alice.accessToken,
      );
      expectRefused(await travel(alice, player.id, INN), 'NOT_FOUND');
      expect(await locationOf(player.id)).toBe(SQUARE);
      expect(await travelled(player.id)).toEqual([]);
    });

    it.each([
      ['a malformed playerId', 'abc', INN, 'playerId'],
      ['an empty playerId', '', INN, 'playerId'],
      ['a malformed locationId', 'VALID', 'the inn!', 'locationId'],
      ['an empty locationId', 'VALID', '', 'locationId'],
      ['an over-long locationId', 'VALID', 'a'.repeat(65), 'locationId'],
    ])(
      'refuses %s as BAD_USER_INPUT and changes nothing',
      async (_label, playerId, locationId, field) => {
        const player = await createPlayer(app, alice);
        const res = await travel(alice, playerId === 'VALID' ? player.id : playerId, locationId);
        expectRefused(res, 'BAD_USER_INPUT', [field]);
        expect(await locationOf(player.id)).toBe(SQUARE);
        expect(await travelled(player.id)).toEqual([]);
      },
    );

    it('refuses an anonymous caller with UNAUTHENTICATED', async () => {
      const player = await createPlayer(app, alice);
      expectRefused(await travel(undefined, player.id, INN), 'UNAUTHENTICATED');
      expect(await locationOf(player.id)).toBe(SQUARE);
    });

    it('lets exactly one of 20 concurrent identical moves through', async () => {
      const player = await createPlayer(app, alice);
      const results = await Promise.all(
        Array.from({ length: 20 }, () => travel(alice, player.id, INN)),
      );
      const ok = results.filter((r) => !r.errors);
      // Once at the inn, "go to the inn" is no longer a move: every later one is refused.
      expect(ok).toHaveLength(1);
      for (const r of results.filter((r) => r.errors)) expectRefused(r, 'GAME_RULE_VIOLATION');
      for (const r of ok) expect(r.data!.travel.location.id).toBe(INN);
      expect(await locationOf(player.id)).toBe(INN);
      expect((await travelled(player.id)).map((e) => e.data)).toEqual([{ from: SQUARE, to: INN }]);
    });

    it('never lets concurrent moves to two places both win (no teleporting between them)', async () => {
      // The inn and the market both border the square but not each other.
      const player = await createPlayer(app, alice);
      const targets = Array.from({ length: 20 }, (_, i) => (i % 2 ? INN : MARKET));
      const results = await Promise.all(targets.map((t) => travel(alice, player.id, t)));
      const ok = results.filter((r) => !r.errors);
      expect(ok).toHaveLength(1);
      for (const r of results.filter((r) => r.errors)) expectRefused(r, 'GAME_RULE_VIOLATION');
      const winner = ok[0].data!.travel.location.id;
      expect(await locationOf(player.id)).toBe(winner);
      expect((await travelled(player.id)).map((e) => e.data)).toEqual([
        { from: SQUARE, to: winner },
      ]);
    });
  });

  describe('subscriptions', () => {
    /** The next message about this character (other suites may share the topics on Redis). */
    async function nextAbout(sub: Subscription<any>, playerId: string, field: string) {
      for (;;) {
        const message = await sub.next();
        if (message.errors || message.data?.[field]?.playerId === playerId) return message;
      }
    }

    it('sends TRAVELLED to the character’s gameEvents', async () => {
      const player = await createPlayer(app, alice);
      const { client } = wsClient(app.url, alice.accessToken);
      try {
        const sub = subscribe(client, GAME_EVENTS, { playerId: player.id });
        await waitFor(() => app.bus.localSubscribers(gameEventsTopic(player.id)) > 0);
        expect((await travel(alice, player.id, WOODS)).errors).toBeUndefined();
        const message = await sub.next();
        expect(message.errors).toBeUndefined();
        expect(message.data!.gameEvents).toMatchObject({
          playerId: player.id,
          type: 'TRAVELLED',
          data: { from: SQUARE, to: WOODS },
        });
      } finally {
        await client.dispose();
      }
    });

    it('shows departures where the character was and arrivals where it goes, to any signed-in user', async () => {
      const player = await createPlayer(app, alice);
      const { client } = wsClient(app.url, bob.accessToken);
      try {
        const atSquare = subscribe(client, LOCATION_EVENTS, { locationId: SQUARE });
        const atInn = subscribe(client, LOCATION_EVENTS, { locationId: INN });
        const atMarket = subscribe(client, LOCATION_EVENTS, { locationId: MARKET });
        for (const id of [SQUARE, INN, MARKET]) {
          await waitFor(() => app.bus.localSubscribers(locationEventsTopic(id)) > 0);
        }

        // A refused move publishes nothing: the first message below is the real departure.
        expectRefused(await travel(alice, player.id, ELDER_OAK), 'GAME_RULE_VIOLATION');
        expect((await travel(alice, player.id, INN)).errors).toBeUndefined();
        const departure = (await nextAbout(atSquare, player.id, 'locationEvents')).data!
          .locationEvents;
        const arrival = (await nextAbout(atInn, player.id, 'locationEvents')).data!.locationEvents;
        expect(departure).toMatchObject({
          playerId: player.id,
          type: 'TRAVELLED',
          data: { from: SQUARE, to: INN },
        });
        expect(arrival).toEqual(departure);

        // Back, then on to the market: the market hears only the move that reaches it.
        expect((await travel(alice, player.id, SQUARE)).errors).toBeUndefined();
        expect((await travel(alice, player.id, MARKET)).errors).toBeUndefined();
        expect(
          (await nextAbout(atInn, player.id, 'locationEvents')).data!.locationEvents.data,
        ).toEqual({ from: INN, to: SQUARE });
        expect(
          (await nextAbout(atSquare, player.id, 'locationEvents')).data!.locationEvents.data,
        ).toEqual({ from: INN, to: SQUARE });
        expect(
          (await nextAbout(atSquare, player.id, 'locationEvents')).data!.locationEvents.data,
        ).toEqual({ from: SQUARE, to: MARKET });
        expect(
          (await nextAbout(atMarket, player.id, 'locationEvents')).data!.locationEvents.data,
        ).toEqual({ from: SQUARE, to: MARKET });
      } finally {
        await client.dispose();
      }
    });

    it('refuses to watch a place that does not exist, and sends it nothing', async () => {
      const { client } = wsClient(app.url, bob.accessToken);
      try {
        const sub = subscribe(client, LOCATION_EVENTS, { locationId: 'atlantis' });
        const message = await sub.next();
        expect(message.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND' });
        await sub.ended;
        expect(app.bus.localSubscribers(locationEventsTopic('atlantis'))).toBe(0);
      } finally {
        await client.dispose();
      }
    });

    it('refuses a malformed location id as BAD_USER_INPUT', async () => {
      const { client } = wsClient(app.url, bob.accessToken);
      try {
        const message = await subscribe(client, LOCATION_EVENTS, { locationId: 'no way!' }).next();
        expect(message.errors?.[0].extensions).toMatchObject({
          code: 'BAD_USER_INPUT',
          fields: ['locationId'],
        });
      } finally {
        await client.dispose();
      }
    });

    it('answers an anonymous watcher with UNAUTHENTICATED', async () => {
      const { client } = wsClient(app.url);
      try {
        const message = await subscribe(client, LOCATION_EVENTS, { locationId: SQUARE }).next();
        expect(message.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
      } finally {
        await client.dispose();
      }
    });
  });

  describe('SQL statements per request (no N+1)', () => {
    // What the database is asked, so without the response cache in front of it (and the
    // moves below are raw SQL, which the cache cannot see); test/response-cache.e2e-spec.ts
    // covers the cache.
    let app: TestApp;
    beforeAll(async () => {
      app = await bootTestApp({ MAX_PLAYERS_PER_USER: '25', GRAPHQL_CACHE: 'false' });
    });
    afterAll(() => app.close());

    /** `n` new characters of one user, spread over the map (the 1st in the square). */
    async function charactersAcrossTheMap(user: TestUser, n: number): Promise<string[]> {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const { id } = await createPlayer(app, user);
        await app.sql(`update players set location_id = ? where id = ?`, [
          LOCATIONS[i % LOCATIONS.length].id,
          id,
        ]);
        ids.push(id);
      }
      return ids;
    }

    const ONE = `query($id: ID!) { location(id: $id) { exits { id } npcs { id } playersHere { id } } }`;
    const ALL = `{ locations { exits { id } npcs { id } playersHere { id } } }`;
    const MINE = `{ me { players { location { name } } } }`;

    it('reads every location with exits, NPCs and characters in as many statements as one location', async () => {
      const watcher = await registerUser(app);
      const one = () => app.gql(ONE, { id: SQUARE }, watcher.accessToken);
      const all = () => app.gql(ALL, {}, watcher.accessToken);
      await all(); // warm the session cache, so auth costs the same in every measurement

      const oneBefore = await countStatements(app, one);
      const allBefore = await countStatements(app, all);
      await charactersAcrossTheMap(await registerUser(app), 20);
      const allAfter = await countStatements(app, all);

      const res = await all();
      expect(res.data!.locations).toHaveLength(LOCATIONS.length);
      // 20 fresh characters stand on at least as many places as the map has.
      const occupied = res.data!.locations.filter((l: any) => l.playersHere.length > 0);
      expect(occupied.length).toBe(LOCATIONS.length);

      // One statement for the root field and one per relation, whatever the row counts.
      expect(oneBefore).toBe(4);
      expect(allBefore).toBe(oneBefore);
      expect(allAfter).toBe(oneBefore);
    });

    it("reads 20 characters' locations in as many statements as 1 character's", async () => {
      const solo = await registerUser(app);
      const many = await registerUser(app);
      await charactersAcrossTheMap(solo, 1);
      await charactersAcrossTheMap(many, 20);
      await app.gql(MINE, {}, solo.accessToken);
      await app.gql(MINE, {}, many.accessToken);

      const forOne = await countStatements(app, () => app.gql(MINE, {}, solo.accessToken));
      const forTwenty = await countStatements(app, () => app.gql(MINE, {}, many.accessToken));

      const res = await app.gql(MINE, {}, many.accessToken);
      const names = res.data!.me.players.map((p: any) => p.location.name);
      expect(names).toHaveLength(20);
      expect(new Set(names).size).toBe(Math.min(20, LOCATIONS.length));
      // me, its players, their locations.
      expect(forOne).toBe(3);
      expect(forTwenty).toBe(forOne);
    });
  });
});
