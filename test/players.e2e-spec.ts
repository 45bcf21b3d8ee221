import { randomBytes, randomUUID } from 'node:crypto';
import {
  CharacterClass,
  CLASS_TEMPLATES,
  STARTING_GOLD,
} from '../src/modules/players/character-class';
import { STARTING_LOCATION_ID } from '../src/modules/world/world.seed';
import { ITEM_SEED, STARTER_WEAPONS } from '../src/modules/items/items.seed';
import { experienceToNextLevel } from '../src/modules/players/progression';
import {
  createPlayer,
  errorCode,
  PLAYER_FIELDS,
  registerUser,
  TestUser,
  uniqueCharacterName,
} from './support/factories';
import { bootTestApp, GqlResult, TestApp } from './support/test-app';

const CREATE = `mutation($input: CreatePlayerInput!) { createPlayer(input: $input) { ${PLAYER_FIELDS} } }`;
const GET = `query($id: ID!) { player(id: $id) { ${PLAYER_FIELDS} } }`;
const DELETE = `mutation($id: ID!) { deletePlayer(id: $id) }`;
const MY_PLAYERS = `{ me { id players { id characterName createdAt } } }`;

const CLASSES = Object.values(CharacterClass);

/** What createPlayer records: the character, then its starter kit (potions, weapon, weapon in hand). */
const CREATED = ['PLAYER_CREATED', 'ITEM_ACQUIRED', 'ITEM_ACQUIRED', 'ITEM_EQUIPPED'];

/** Base stats and maxima plus the class weapon's bonuses: a new character holds it. */
function armed(cls: CharacterClass) {
  const template = CLASS_TEMPLATES[cls];
  const bonus: Record<string, number> = ITEM_SEED.find(
    (i) => i.name === STARTER_WEAPONS[cls],
  )!.stats!;
  const stats = Object.fromEntries(
    Object.entries(template.stats).map(([k, v]) => [k, v + (bonus[k] ?? 0)]),
  );
  return {
    stats,
    maxHealth: template.maxHealth + (bonus.maxHealth ?? 0),
    maxMana: template.maxMana + (bonus.maxMana ?? 0),
  };
}

/** `n` random lowercase ASCII letters (character names may not contain digits). */
function letters(n: number): string {
  return Array.from(randomBytes(n), (b) => String.fromCharCode(97 + (b % 26))).join('');
}

interface Counts {
  players: number;
  events: number;
}

/**
 * Rows owned by these users: players, and game_events of their players. Scoped to
 * the test's own users so other test files sharing the database cannot disturb it.
 */
async function counts(app: TestApp, users: TestUser[]): Promise<Counts> {
  const ids = users.map((u) => u.id);
  const list = ids.map(() => '?').join(', ');
  const [players] = await app.sql<{ n: number }>(
    `select count(*)::int as n from players where user_id in (${list})`,
    ids,
  );
  const [events] = await app.sql<{ n: number }>(
    `select count(*)::int as n from game_events e join players p on p.id = e.player_id where p.user_id in (${list})`,
    ids,
  );
  return { players: players.n, events: events.n };
}

/** Live characters (any user) whose name matches case-insensitively. */
async function liveWithName(app: TestApp, name: string): Promise<number> {
  const [row] = await app.sql<{ n: number }>(
    `select count(*)::int as n from players where lower(character_name) = lower(?) and deleted_at is null`,
    [name],
  );
  return row.n;
}

async function playerRow(app: TestApp, id: string): Promise<Record<string, any>> {
  const rows = await app.sql(`select * from players where id = ?`, [id]);
  expect(rows).toHaveLength(1);
  return rows[0];
}

async function eventsOf(app: TestApp, playerId: string): Promise<{ type: string; data: any }[]> {
  return app.sql(`select type, data from game_events where player_id = ? order by id`, [playerId]);
}

/** One error with this code (and these fields for BAD_USER_INPUT/CONFLICT), a timestamp, and no data. */
function expectRefused(res: GqlResult, code: string, fields?: string[]): void {
  expect(errorCode(res)).toBe(code);
  const { extensions } = res.errors![0];
  expect(new Date(extensions.timestamp).toISOString()).toBe(extensions.timestamp);
  if (fields) expect(extensions.fields).toEqual(fields);
  expect(res.data ?? null).toBeNull();
}

function create(
  app: TestApp,
  user: TestUser | undefined,
  characterName: string,
  characterClass = 'WARRIOR',
) {
  return app.gql(CREATE, { input: { characterName, characterClass } }, user?.accessToken);
}

describe('players', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await bootTestApp();
  });
  afterAll(() => app.close());

  describe('createPlayer', () => {
    it.each(CLASSES)(
      'creates a %s at level 1 with full health and mana, class stats and starting gold',
      async (cls) => {
        const user = await registerUser(app);
        const name = uniqueCharacterName();
        const res = await create(app, user, name, cls);
        expect(res.errors).toBeUndefined();
        const player = res.data!.createPlayer;
        const template = armed(cls);
        expect(player).toEqual({
          id: expect.any(String),
          characterName: name,
          characterClass: cls,
          level: 1,
          experience: 0,
          experienceToNextLevel: experienceToNextLevel(1, 0),
          health: template.maxHealth,
          maxHealth: template.maxHealth,
          mana: template.maxMana,
          maxMana: template.maxMana,
          gold: STARTING_GOLD,
          stats: template.stats,
          createdAt: expect.any(String),
        });
        expect(player.experienceToNextLevel).toBeGreaterThan(0);
        expect(Math.abs(Date.now() - new Date(player.createdAt).getTime())).toBeLessThan(60_000);

        const row = await playerRow(app, player.id);
        expect(row).toMatchObject({
          user_id: user.id,
          character_name: name,
          character_class: cls,
          location_id: STARTING_LOCATION_ID,
          deleted_at: null,
          gold: STARTING_GOLD,
          health: template.maxHealth,
          mana: template.maxMana,
        });
        const events = await eventsOf(app, player.id);
        expect(events.map((e) => e.type)).toEqual(CREATED);
        expect(events[0].data).toEqual(expect.objectContaining({ characterClass: cls }));

        const fetched = await app.gql(GET, { id: player.id }, user.accessToken);
        expect(fetched.errors).toBeUndefined();
        expect(fetched.data!.player).toEqual(player);
      },
    );

    it('refuses an anonymous caller with UNAUTHENTICATED and writes nothing', async () => {
      const name = uniqueCharacterName();
      const res = await create(app, undefined, name);
      expectRefused(res, 'UNAUTHENTICATED');
      expect(await liveWithName(app, name)).toBe(0);
    });
  });

  describe('character names', () => {
    it('trims and collapses inner whitespace before storing the name', async () => {
      const user = await registerUser(app);
      const tail = letters(8);
      const res = await create(app, user, `  Sir   ${tail} `);
      expect(res.errors).toBeUndefined();
      expect(res.data!.createPlayer.characterName).toBe(`Sir ${tail}`);
      expect((await playerRow(app, res.data!.createPlayer.id)).character_name).toBe(`Sir ${tail}`);

      // Tabs and newlines are whitespace too.
      const tail2 = letters(8);
      const res2 = await create(app, user, `\tSir\n\t${tail2}\n`);
      expect(res2.errors).toBeUndefined();
      expect(res2.data!.createPlayer.characterName).toBe(`Sir ${tail2}`);

      // The length limit applies to the normalised name: 29 characters raw, 23 stored.
      const padded = `  ${letters(10)}     ${letters(12)}  `;
      const res3 = await create(app, user, padded);
      expect(res3.errors).toBeUndefined();
      expect(res3.data!.createPlayer.characterName).toBe(padded.trim().replace(/\s+/g, ' '));
      expect(res3.data!.createPlayer.characterName).toHaveLength(23);
    });

    it('accepts names of exactly 2 and exactly 24 characters, apostrophes and inner hyphens', async () => {
      const user = await registerUser(app);
      const accepted = [
        `X${letters(1)}`,
        `Hero ${letters(19)}`,
        `O'${letters(6)}`,
        `Mary-${letters(6)}`,
      ];
      for (const name of accepted) {
        const res = await create(app, user, name);
        expect(res.errors).toBeUndefined();
        expect(res.data!.createPlayer.characterName).toBe(name);
      }
      expect(accepted[1]).toHaveLength(24);
      // Give the short name back: two letters are a scarce namespace.
      const mine = await app.gql(MY_PLAYERS, {}, user.accessToken);
      for (const p of mine.data!.me.players) await app.gql(DELETE, { id: p.id }, user.accessToken);
    });

    it('accepts names in letters of any script', async () => {
      const user = await registerUser(app);
      for (const base of ['Éowyn', 'Łucja', 'Ørjan', 'Святослав', 'Ἀχιλλεύς', '李小龍']) {
        const name = `${base} ${letters(6)}`;
        const res = await create(app, user, name);
        expect(res.errors).toBeUndefined();
        expect(res.data!.createPlayer.characterName).toBe(name);
        expect((await playerRow(app, res.data!.createPlayer.id)).character_name).toBe(name);
      }
    });

    it.each([
      ['empty', ''],
      ['one character', 'A'],
      ['one character after trimming', '   B   '],
      ['only spaces', '      '],
      ['25 characters', `Hero ${letters(20)}`],
      ['far too long', 'A'.repeat(200)],
      ['digits', 'Hero42'],
      ['only digits', '1234'],
      ['an emoji', 'Hero 🐉'],
      ['a leading hyphen', '-Bob'],
      ['a leading apostrophe', "'Bob"],
      ['a leading space-separated hyphen', '- Bob'],
      ['punctuation', 'Bob!'],
      ['an underscore', 'Bob_the'],
      ['a zero-width space', 'Bob\u200bby'],
      ['24 letters plus a variation selector (25 code points)', `${'A'.repeat(24)}\ufe0f`],
    ])('refuses a name with %s as BAD_USER_INPUT on characterName', async (_label, name) => {
      const user = await registerUser(app);
      const before = await counts(app, [user]);
      const res = await create(app, user, name);
      expectRefused(res, 'BAD_USER_INPUT', ['characterName']);
      expect(await counts(app, [user])).toEqual(before);
      expect(before).toEqual({ players: 0, events: 0 });
    });

    it('refuses a taken name as CONFLICT, whatever its case and whoever holds it', async () => {
      const alice = await registerUser(app);
      const bob = await registerUser(app);
      const name = uniqueCharacterName('Sir');
      await createPlayer(app, alice, { characterName: name });
      const before = await counts(app, [alice, bob]);

      for (const [user, attempt] of [
        [alice, name],
        [bob, name],
        [bob, name.toUpperCase()],
        [alice, name.toLowerCase()],
        [bob, `  ${name.replace(' ', '   ')}  `],
      ] as const) {
        const res = await create(app, user, attempt, 'MAGE');
        expectRefused(res, 'CONFLICT', ['characterName']);
      }
      expect(await counts(app, [alice, bob])).toEqual(before);
      expect(await liveWithName(app, name)).toBe(1);
    });

    it('compares non-ASCII names case-insensitively and in one Unicode normal form', async () => {
      const alice = await registerUser(app);
      const bob = await registerUser(app);
      const tail = letters(6);
      const nfc = `Éowyn ${tail}`.normalize('NFC');
      const created = await createPlayer(app, alice, { characterName: nfc });
      expect(created.characterName).toBe(nfc);
      const before = await counts(app, [alice, bob]);

      // Same name in capitals, and the same letters spelt with a combining accent (NFD).
      for (const attempt of [`ÉOWYN ${tail.toUpperCase()}`, nfc.normalize('NFD')]) {
        const res = await create(app, bob, attempt);
        expectRefused(res, 'CONFLICT', ['characterName']);
      }
      expect(await counts(app, [alice, bob])).toEqual(before);
    });

    it('stores a decomposed name in composed form', async () => {
      const user = await registerUser(app);
      const nfd = `Łucja Émile ${letters(6)}`.normalize('NFD');
      expect(nfd).not.toBe(nfd.normalize('NFC'));
      const res = await create(app, user, nfd);
      expect(res.errors).toBeUndefined();
      expect(res.data!.createPlayer.characterName).toBe(nfd.normalize('NFC'));
      expect((await playerRow(app, res.data!.createPlayer.id)).character_name).toBe(
        nfd.normalize('NFC'),
      );
    });

    it('frees the name of a deleted character for anyone', async () => {
      const alice = await registerUser(app);
      const bob = await registerUser(app);
      const name = uniqueCharacterName('Lost');
      const first = await createPlayer(app, alice, { characterName: name });
      expect((await app.gql(DELETE, { id: first.id }, alice.accessToken)).data).toEqual({
        deletePlayer: true,
      });

      const again = await create(app, bob, name.toUpperCase(), 'CLERIC');
      expect(again.errors).toBeUndefined();
      expect(again.data!.createPlayer.id).not.toBe(first.id);
      expect(await liveWithName(app, name)).toBe(1);

      // The deleted row is kept, still marked deleted.
      expect((await playerRow(app, first.id)).deleted_at).not.toBeNull();
    });
  });

  describe('characterClass', () => {
    it('refuses an unknown class written in the document as GRAPHQL_VALIDATION_FAILED', async () => {
      const user = await registerUser(app);
      const name = uniqueCharacterName();
      const res = await app.gql(
        `mutation { createPlayer(input: { characterName: "${name}", characterClass: PALADIN }) { id } }`,
        {},
        user.accessToken,
      );
      expect(errorCode(res)).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(res.errors![0].message).toContain('PALADIN');
      expect(res.data).toBeUndefined();
      expect(await counts(app, [user])).toEqual({ players: 0, events: 0 });
    });

    it('refuses an unknown class passed as a variable as BAD_USER_INPUT', async () => {
      const user = await registerUser(app);
      for (const characterClass of ['PALADIN', 'warrior', '', 42]) {
        const res = await app.gql(
          CREATE,
          { input: { characterName: uniqueCharacterName(), characterClass } },
          user.accessToken,
        );
        expect(errorCode(res)).toBe('BAD_USER_INPUT');
        expect(res.errors![0].message).toContain('characterClass');
        expect(res.data ?? null).toBeNull();
      }
      expect(await counts(app, [user])).toEqual({ players: 0, events: 0 });
    });
  });

  describe('player(id)', () => {
    let alice: TestUser;
    let bob: TestUser;

    beforeAll(async () => {
      alice = await registerUser(app);
      bob = await registerUser(app);
    });

    it("returns the caller's own character", async () => {
      const player = await createPlayer(app, alice, { characterClass: 'RANGER' });
      const res = await app.gql(GET, { id: player.id }, alice.accessToken);
      expect(res.errors).toBeUndefined();
      expect(res.data!.player).toEqual(player);
    });

    it("answers another user's character exactly like an id that does not exist", async () => {
      const player = await createPlayer(app, alice);
      const foreign = await app.gql(GET, { id: player.id }, bob.accessToken);
      const missing = await app.gql(GET, { id: randomUUID() }, bob.accessToken);
      expectRefused(foreign, 'NOT_FOUND');
      expectRefused(missing, 'NOT_FOUND');
      expect(foreign.errors![0].message).toBe(missing.errors![0].message);
      expect(foreign.errors![0].message).not.toContain(player.id);
      expect(foreign.errors![0].extensions).not.toHaveProperty('fields');
    });

    it.each([
      'abc',
      '123',
      '00000000-0000-4000-8000-000000000000x',
      'not-a-uuid-at-all-0000000000000000',
    ])('refuses the malformed id %j as BAD_USER_INPUT on id', async (id) => {
      const res = await app.gql(GET, { id }, alice.accessToken);
      expectRefused(res, 'BAD_USER_INPUT', ['id']);
    });

    it('answers a deleted character with NOT_FOUND', async () => {
      const player = await createPlayer(app, alice);
      expect((await app.gql(DELETE, { id: player.id }, alice.accessToken)).data).toEqual({
        deletePlayer: true,
      });
      expectRefused(await app.gql(GET, { id: player.id }, alice.accessToken), 'NOT_FOUND');
    });

    it('refuses an anonymous caller with UNAUTHENTICATED', async () => {
      const player = await createPlayer(app, alice);
      expectRefused(await app.gql(GET, { id: player.id }), 'UNAUTHENTICATED');
      expectRefused(await app.gql(GET, { id: player.id }, 'not.a.token'), 'UNAUTHENTICATED');
    });
  });

  describe('deletePlayer', () => {
    it('deletes an own character: true, a PLAYER_DELETED event, gone from player(id) and me.players', async () => {
      const user = await registerUser(app);
      const keep = await createPlayer(app, user);
      const gone = await createPlayer(app, user, { characterClass: 'MAGE' });

      const res = await app.gql(DELETE, { id: gone.id }, user.accessToken);
      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual({ deletePlayer: true });

      expect((await eventsOf(app, gone.id)).map((e) => e.type)).toEqual([
        ...CREATED,
        'PLAYER_DELETED',
      ]);
      expect((await eventsOf(app, keep.id)).map((e) => e.type)).toEqual(CREATED);
      const [row] = await app.sql(
        `select deleted_at is not null and deleted_at > now() - interval '1 minute' as recent from players where id = ?`,
        [gone.id],
      );
      expect(row).toEqual({ recent: true });
      expect((await playerRow(app, keep.id)).deleted_at).toBeNull();

      expectRefused(await app.gql(GET, { id: gone.id }, user.accessToken), 'NOT_FOUND');
      const mine = await app.gql(MY_PLAYERS, {}, user.accessToken);
      expect(mine.data!.me.players.map((p: any) => p.id)).toEqual([keep.id]);
    });

    it("refuses another user's character as NOT_FOUND and leaves it untouched", async () => {
      const alice = await registerUser(app);
      const bob = await registerUser(app);
      const player = await createPlayer(app, alice);
      const before = await counts(app, [alice, bob]);

      const res = await app.gql(DELETE, { id: player.id }, bob.accessToken);
      expectRefused(res, 'NOT_FOUND');
      const missing = await app.gql(DELETE, { id: randomUUID() }, bob.accessToken);
      expect(res.errors![0].message).toBe(missing.errors![0].message);

      expect((await playerRow(app, player.id)).deleted_at).toBeNull();
      expect(await counts(app, [alice, bob])).toEqual(before);
      expect((await eventsOf(app, player.id)).map((e) => e.type)).toEqual(CREATED);
      const still = await app.gql(GET, { id: player.id }, alice.accessToken);
      expect(still.data!.player.id).toBe(player.id);
    });

    it('refuses a second delete of the same character as NOT_FOUND', async () => {
      const user = await registerUser(app);
      const player = await createPlayer(app, user);
      expect((await app.gql(DELETE, { id: player.id }, user.accessToken)).data).toEqual({
        deletePlayer: true,
      });
      const deletedAt = (await playerRow(app, player.id)).deleted_at;
      const before = await counts(app, [user]);

      expectRefused(await app.gql(DELETE, { id: player.id }, user.accessToken), 'NOT_FOUND');
      expect(await counts(app, [user])).toEqual(before);
      expect((await playerRow(app, player.id)).deleted_at).toEqual(deletedAt);
      expect((await eventsOf(app, player.id)).map((e) => e.type)).toEqual([
        ...CREATED,
        'PLAYER_DELETED',
      ]);
    });

    it('refuses a malformed id as BAD_USER_INPUT on id', async () => {
      const user = await registerUser(app);
      await createPlayer(app, user);
      const before = await counts(app, [user]);
      for (const id of ['abc', '', '42']) {
        expectRefused(await app.gql(DELETE, { id }, user.accessToken), 'BAD_USER_INPUT', ['id']);
      }
      expect(await counts(app, [user])).toEqual(before);
    });

    it('refuses an anonymous caller with UNAUTHENTICATED and leaves the character alive', async () => {
      const user = await registerUser(app);
      const player = await createPlayer(app, user);
      expectRefused(await app.gql(DELETE, { id: player.id }), 'UNAUTHENTICATED');
      expect((await playerRow(app, player.id)).deleted_at).toBeNull();
      expect((await eventsOf(app, player.id)).map((e) => e.type)).toEqual(CREATED);
    });
  });

  describe('me.players', () => {
    it('lists only the caller’s live characters, oldest first', async () => {
      const alice = await registerUser(app);
      const bob = await registerUser(app);
      expect((await app.gql(MY_PLAYERS, {}, alice.accessToken)).data!.me.players).toEqual([]);

      const a1 = await createPlayer(app, alice, { characterClass: 'MAGE' });
      const b1 = await createPlayer(app, bob);
      const a2 = await createPlayer(app, alice, { characterClass: 'ROGUE' });
      const a3 = await createPlayer(app, alice, { characterClass: 'CLERIC' });
      const a4 = await createPlayer(app, alice, { characterClass: 'RANGER' });
      await app.gql(DELETE, { id: a3.id }, alice.accessToken);

      const res = await app.gql(MY_PLAYERS, {}, alice.accessToken);
      expect(res.errors).toBeUndefined();
      expect(res.data!.me.id).toBe(alice.id);
      const players = res.data!.me.players;
      expect(players).toEqual(
        [a1, a2, a4].map((p) => ({
          id: p.id,
          characterName: p.characterName,
          createdAt: p.createdAt,
        })),
      );
      const times = players.map((p: any) => new Date(p.createdAt).getTime());
      expect([...times].sort((x, y) => x - y)).toEqual(times);

      const bobs = await app.gql(MY_PLAYERS, {}, bob.accessToken);
      expect(bobs.data!.me.players.map((p: any) => p.id)).toEqual([b1.id]);
    });
  });

  describe('database CHECK constraints', () => {
    it.each([
      ['gold below zero', 'gold = -1'],
      ['health above max_health', 'health = max_health + 1'],
      ['health below zero', 'health = -1'],
      ['mana below zero', 'mana = -1'],
      ['mana above max_mana', 'mana = max_mana + 1'],
      ['level below 1', 'level = 0'],
      ['negative experience', 'experience = -1'],
      ['an unknown class', "character_class = 'PALADIN'"],
    ])('rejects %s', async (_label, assignment) => {
      const user = await registerUser(app);
      const player = await createPlayer(app, user);
      const before = await playerRow(app, player.id);
      await expect(
        app.sql(`update players set ${assignment} where id = ?`, [player.id]),
      ).rejects.toThrow(/violates check constraint/);
      expect(await playerRow(app, player.id)).toEqual(before);
    });

    it('accepts the edges of the ranges (control for the cases above)', async () => {
      const user = await registerUser(app);
      const player = await createPlayer(app, user);
      await app.sql(`update players set gold = 0, health = max_health, mana = 0 where id = ?`, [
        player.id,
      ]);
      await app.sql(`update players set health = 0, mana = max_mana where id = ?`, [player.id]);
      expect(await playerRow(app, player.id)).toMatchObject({
        gold: 0,
        health: 0,
        mana: player.maxMana,
      });
    });
  });

  describe('per-user cap (MAX_PLAYERS_PER_USER=3)', () => {
    let capped: TestApp;

    beforeAll(async () => {
      capped = await bootTestApp({ MAX_PLAYERS_PER_USER: '3' });
    });
    afterAll(() => capped.close());

    it('refuses the 4th character with GAME_RULE_VIOLATION, and counts only live ones', async () => {
      const user = await registerUser(capped);
      const made = [];
      for (let i = 0; i < 3; i++) made.push(await createPlayer(capped, user));
      const before = await counts(capped, [user]);
      expect(before).toEqual({ players: 3, events: 3 * CREATED.length });

      const name = uniqueCharacterName();
      const res = await create(capped, user, name);
      expectRefused(res, 'GAME_RULE_VIOLATION');
      expect(await counts(capped, [user])).toEqual(before);
      expect(await liveWithName(capped, name)).toBe(0);

      // Another account is not affected by this one's cap.
      const other = await registerUser(capped);
      expect((await create(capped, other, uniqueCharacterName())).errors).toBeUndefined();

      // A deleted character frees its slot.
      expect((await capped.gql(DELETE, { id: made[0].id }, user.accessToken)).data).toEqual({
        deletePlayer: true,
      });
      const again = await create(capped, user, name);
      expect(again.errors).toBeUndefined();
      expect(again.data!.createPlayer.characterName).toBe(name);
      expectRefused(await create(capped, user, uniqueCharacterName()), 'GAME_RULE_VIOLATION');
    });

    it('lets exactly 3 of 10 concurrent creations by one user succeed', async () => {
      const user = await registerUser(capped);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          create(capped, user, uniqueCharacterName(), CLASSES[i % CLASSES.length]),
        ),
      );
      const ok = results.filter((r) => !r.errors);
      const refused = results.filter((r) => r.errors);
      expect(ok).toHaveLength(3);
      for (const r of refused) expectRefused(r, 'GAME_RULE_VIOLATION');

      expect(await counts(capped, [user])).toEqual({ players: 3, events: 3 * CREATED.length });
      const mine = await capped.gql(MY_PLAYERS, {}, user.accessToken);
      expect(mine.data!.me.players.map((p: any) => p.id).sort()).toEqual(
        ok.map((r) => r.data!.createPlayer.id).sort(),
      );
    });

    it('lets exactly 1 of 10 concurrent creations of one name by different users succeed', async () => {
      const users = await Promise.all(Array.from({ length: 10 }, () => registerUser(capped)));
      const name = uniqueCharacterName('Race');
      const results = await Promise.all(
        users.map((u, i) => create(capped, u, i % 2 ? name : name.toUpperCase())),
      );
      const ok = results.filter((r) => !r.errors);
      const refused = results.filter((r) => r.errors);
      expect(ok).toHaveLength(1);
      expect(refused).toHaveLength(9);
      for (const r of refused) expectRefused(r, 'CONFLICT', ['characterName']);

      expect(await counts(capped, users)).toEqual({ players: 1, events: CREATED.length });
      expect(await liveWithName(capped, name)).toBe(1);
    });
  });
});
