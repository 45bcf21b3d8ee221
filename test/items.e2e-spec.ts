import { randomBytes, randomUUID } from 'node:crypto';
import { EquipmentSlot, ItemType, Rarity } from '../src/modules/items/item.enums';
import {
  HEALTH_POTION,
  ITEM_SEED,
  MANA_POTION,
  seedItemId,
  STARTER_WEAPONS,
} from '../src/modules/items/items.seed';
import { errorCode, PASSWORD, registerUser, TestUser } from './support/factories';
import { bootTestApp, GqlResult, TestApp } from './support/test-app';

const ITEM_FIELDS = 'id name description type rarity value weight slot stats effects';
const LIST = `query($filter: ItemFilter, $first: Int, $after: String) {
  items(filter: $filter, first: $first, after: $after) {
    edges { cursor node { ${ITEM_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const GET = `query($id: ID!) { item(id: $id) { ${ITEM_FIELDS} } }`;
const CREATE = `mutation($input: CreateItemInput!) { createItem(input: $input) { ${ITEM_FIELDS} } }`;
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { accessToken user { role } } }`;

type Filter = Partial<{ type: string; rarity: string; slot: string; search: string }>;
type Item = Record<string, any>;
interface Page {
  edges: { cursor: string; node: Item }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** `n` random lowercase ASCII letters. */
function letters(n: number): string {
  return Array.from(randomBytes(n), (b) => String.fromCharCode(97 + (b % 26))).join('');
}

/** Names made by this file: never "potion", never a seed name, unique per run. */
function uniqueItemName(prefix = 'Test Blade'): string {
  return `${prefix} ${letters(10)}`;
}

/** The catalogue as the seed describes it, in API shape. */
function seedAsApi(seed: (typeof ITEM_SEED)[number]): Item {
  return {
    id: seedItemId(seed.name),
    name: seed.name,
    description: seed.description,
    type: seed.type,
    rarity: seed.rarity,
    value: seed.value,
    weight: seed.weight,
    slot: seed.slot ?? null,
    stats: seed.stats ?? {},
    effects: seed.effects ?? [],
  };
}

/** One error with this code (and these fields), a timestamp, and no data. */
function expectRefused(res: GqlResult, code: string, fields?: string[]): void {
  expect(errorCode(res)).toBe(code);
  const { extensions } = res.errors![0];
  expect(new Date(extensions.timestamp).toISOString()).toBe(extensions.timestamp);
  if (fields) expect(extensions.fields).toEqual(fields);
  expect(res.data ?? null).toBeNull();
}

async function page(
  app: TestApp,
  args: { filter?: Filter; first?: number; after?: string },
): Promise<Page> {
  const res = await app.gql(LIST, args);
  expect(res.errors).toBeUndefined();
  return res.data!.items;
}

/** Every item matching the filter, walking the pages; checks each page's own paging info. */
async function walk(app: TestApp, filter?: Filter, first = 100): Promise<Item[]> {
  const nodes: Item[] = [];
  let after: string | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const p = await page(app, { filter, first, after });
    nodes.push(...p.edges.map((e) => e.node));
    expect(p.pageInfo.endCursor).toBe(p.edges.at(-1)?.cursor ?? null);
    if (!p.pageInfo.hasNextPage) return nodes;
    expect(p.edges).toHaveLength(first);
    after = p.pageInfo.endCursor!;
  }
  throw new Error('pagination did not end');
}

/** Every row of the items table, as one fingerprint: any insert or change alters it. */
async function snapshot(app: TestApp): Promise<{ n: number; h: string }> {
  const [row] = await app.sql<{ n: number; h: string }>(
    `select count(*)::int as n, md5(coalesce(string_agg(to_jsonb(i)::text, ',' order by id), '')) as h from items i`,
  );
  return row;
}

async function rowsNamed(app: TestApp, name: string): Promise<number> {
  const [row] = await app.sql<{ n: number }>(
    `select count(*)::int as n from items where lower(name) = lower(?)`,
    [name.normalize('NFC').trim().replace(/\s+/g, ' ')],
  );
  return row.n;
}

async function sqlIds(app: TestApp, where: string, params: unknown[] = []): Promise<string[]> {
  const rows = await app.sql<{ id: string }>(`select id from items where ${where}`, params);
  return rows.map((r) => r.id).sort();
}

const ids = (items: Item[]) => items.map((i) => i.id).sort();

/** An account whose access token carries the ADMIN role (the role is read at login). */
async function registerAdmin(app: TestApp): Promise<TestUser> {
  const user = await registerUser(app);
  await app.sql(`update users set role = 'ADMIN' where id = ?`, [user.id]);
  const res = await app.gql(LOGIN, { input: { login: user.username, password: PASSWORD } });
  expect(res.data!.login.user.role).toBe('ADMIN');
  return { ...user, accessToken: res.data!.login.accessToken };
}

const VALID_WEAPON = () => ({
  name: uniqueItemName(),
  description: 'A blade forged for the test suite.',
  type: 'WEAPON',
  rarity: 'RARE',
  value: 120,
  weight: 3.25,
  slot: 'MAIN_HAND',
  stats: { strength: 3, dexterity: -1 },
});

const VALID_CONSUMABLE = () => ({
  name: uniqueItemName('Test Tonic'),
  description: 'A tonic brewed for the test suite.',
  type: 'CONSUMABLE',
  rarity: 'COMMON',
  value: 5,
  weight: 0.5,
  effects: [{ type: 'heal', amount: 20 }],
});

describe('items', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await bootTestApp();
  });
  afterAll(() => app.close());

  describe('the seeded catalogue', () => {
    let all: Item[];

    beforeAll(async () => {
      all = await walk(app);
    });

    it('lists at least 45 items, exactly the rows of the table', async () => {
      expect(all.length).toBeGreaterThanOrEqual(45);
      expect(ids(all)).toEqual(await sqlIds(app, 'true'));
    });

    it('covers every item type and every rarity', () => {
      expect(new Set(all.map((i) => i.type))).toEqual(new Set(Object.values(ItemType)));
      expect(new Set(all.map((i) => i.rarity))).toEqual(new Set(Object.values(Rarity)));
      expect(Object.values(ItemType)).toHaveLength(6);
      expect(Object.values(Rarity)).toHaveLength(5);
    });

    it('holds every seeded item exactly as the seed file describes it', () => {
      const byId = new Map(all.map((i) => [i.id, i]));
      for (const seed of ITEM_SEED)
        expect(byId.get(seedItemId(seed.name))).toEqual(seedAsApi(seed));
    });

    it('has a common consumable "Health Potion" that heals, and a "Mana Potion"', () => {
      const potion = all.find((i) => i.name === HEALTH_POTION);
      expect(potion).toMatchObject({
        type: 'CONSUMABLE',
        rarity: 'COMMON',
        slot: null,
        stats: {},
        effects: [{ type: 'heal', amount: expect.any(Number) }],
      });
      expect(potion!.effects[0].amount).toBeGreaterThan(0);
      expect(all.find((i) => i.name === MANA_POTION)).toMatchObject({
        type: 'CONSUMABLE',
        effects: [{ type: 'restoreMana', amount: expect.any(Number) }],
      });
    });

    it('has a main-hand starter weapon for every class', () => {
      expect(Object.keys(STARTER_WEAPONS)).toHaveLength(5);
      for (const name of Object.values(STARTER_WEAPONS)) {
        expect(all.find((i) => i.name === name)).toMatchObject({
          type: 'WEAPON',
          rarity: 'COMMON',
          slot: 'MAIN_HAND',
        });
      }
    });

    it('gives every item a coherent shape: slots, stats and effects by type', () => {
      for (const item of all) {
        expect(Number.isInteger(item.value) && item.value >= 0).toBe(true);
        expect(item.weight).toBeGreaterThanOrEqual(0);
        expect(Math.round(item.weight * 100) / 100).toBe(item.weight);
        if (item.type === 'WEAPON' || item.type === 'ARMOR') expect(item.slot).not.toBeNull();
        if (['CONSUMABLE', 'MATERIAL', 'QUEST'].includes(item.type)) expect(item.slot).toBeNull();
        if (item.slot === null) expect(item.stats).toEqual({});
        if (item.type === 'CONSUMABLE') expect(item.effects.length).toBeGreaterThan(0);
        else expect(item.effects).toEqual([]);
      }
      // The seed exercises stats and effects, not only empty ones.
      expect(all.filter((i) => Object.keys(i.stats).length > 0).length).toBeGreaterThan(20);
      const effectKinds = new Set(all.flatMap((i) => i.effects.map((e: any) => e.type)));
      expect(effectKinds).toEqual(new Set(['heal', 'restoreMana', 'buff']));
    });

    it('is ordered by name, ignoring case', () => {
      const keys = all.map((i) => i.name.toLowerCase());
      const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      expect(keys).toEqual(sorted);
    });

    it('is open to anonymous callers and to signed-in players alike', async () => {
      const user = await registerUser(app);
      const res = await app.gql(LIST, { first: 5 }, user.accessToken);
      expect(res.errors).toBeUndefined();
      expect(res.data!.items.edges.map((e: any) => e.node)).toEqual(all.slice(0, 5));
    });
  });

  describe('filters', () => {
    it.each(Object.values(ItemType))(
      'type %s returns exactly the items of that type',
      async (type) => {
        const found = await walk(app, { type });
        expect(found.length).toBeGreaterThan(0);
        expect(found.every((i) => i.type === type)).toBe(true);
        expect(ids(found)).toEqual(await sqlIds(app, 'type = ?', [type]));
      },
    );

    it.each(Object.values(Rarity))(
      'rarity %s returns exactly the items of that rarity',
      async (rarity) => {
        const found = await walk(app, { rarity });
        expect(found.length).toBeGreaterThan(0);
        expect(found.every((i) => i.rarity === rarity)).toBe(true);
        expect(ids(found)).toEqual(await sqlIds(app, 'rarity = ?', [rarity]));
      },
    );

    it.each(Object.values(EquipmentSlot))(
      'slot %s returns exactly the items for that slot',
      async (slot) => {
        const found = await walk(app, { slot });
        expect(found.length).toBeGreaterThan(0);
        expect(found.every((i) => i.slot === slot)).toBe(true);
        expect(ids(found)).toEqual(await sqlIds(app, 'slot = ?', [slot]));
      },
    );

    it('search matches a substring of the name, ignoring case and surrounding spaces', async () => {
      const found = await walk(app, { search: 'potion' });
      expect(found.map((i) => i.name)).toEqual(
        expect.arrayContaining([HEALTH_POTION, MANA_POTION]),
      );
      expect(found.every((i) => i.name.toLowerCase().includes('potion'))).toBe(true);
      expect(ids(found)).toEqual(await sqlIds(app, `lower(name) like '%potion%'`));
      // A substring in the middle of a word counts too.
      expect(ids(await walk(app, { search: 'OTIO' }))).toEqual(ids(found));
      expect(ids(await walk(app, { search: '  pOtIoN  ' }))).toEqual(ids(found));
    });

    it('search finds an exact full name, and apostrophes are plain characters', async () => {
      expect((await walk(app, { search: 'health potion' })).map((i) => i.name)).toContain(
        HEALTH_POTION,
      );
      const apostrophes = await walk(app, { search: "'s" });
      expect(apostrophes.length).toBeGreaterThan(0);
      expect(ids(apostrophes)).toEqual(await sqlIds(app, `strpos(name, '''s') > 0`));
    });

    it.each([
      ['%', 'the LIKE any-string wildcard'],
      ['_', 'the LIKE any-character wildcard'],
      ['%potion%', 'wildcards around a real word'],
      ['h_alth', 'a wildcard standing in for a letter'],
      ['h\\ealth', 'the LIKE escape character before a letter'],
    ])('search treats %j (%s) literally', async (search) => {
      // No item name holds these characters, so a literal match finds nothing …
      expect(await sqlIds(app, 'strpos(lower(name), lower(?)) > 0', [search])).toEqual([]);
      // … while an unescaped pattern would have matched some (or every) item.
      expect(await walk(app, { search })).toEqual([]);
    });

    it('treats a blank search as no filter', async () => {
      expect(ids(await walk(app, { search: '   ' }))).toEqual(await sqlIds(app, 'true'));
    });

    it('search finds nothing for a name that does not exist', async () => {
      expect(await walk(app, { search: `zz${letters(12)}` })).toEqual([]);
    });

    it('combines type, rarity and search: every condition must hold', async () => {
      const found = await walk(app, { type: 'CONSUMABLE', rarity: 'COMMON', search: 'potion' });
      expect(found.map((i) => i.name)).toEqual(
        expect.arrayContaining([HEALTH_POTION, MANA_POTION]),
      );
      expect(ids(found)).toEqual(
        await sqlIds(
          app,
          `type = 'CONSUMABLE' and rarity = 'COMMON' and lower(name) like '%potion%'`,
        ),
      );
      // Each condition alone finds more than all of them together.
      for (const filter of [{ type: 'CONSUMABLE' }, { rarity: 'COMMON' }, { search: 'potion' }]) {
        expect((await walk(app, filter)).length).toBeGreaterThan(found.length);
      }
    });

    it('combines type and slot', async () => {
      const offHandWeapons = await walk(app, { type: 'WEAPON', slot: 'OFF_HAND' });
      expect(offHandWeapons.map((i) => i.name)).toContain('Parrying Dagger');
      expect(ids(offHandWeapons)).toEqual(
        await sqlIds(app, `type = 'WEAPON' and slot = 'OFF_HAND'`),
      );
      // Shields share the slot but are armour.
      const offHand = await walk(app, { slot: 'OFF_HAND' });
      expect(offHand.some((i) => i.type === 'ARMOR')).toBe(true);
      expect(offHandWeapons.length).toBeLessThan(offHand.length);
    });

    it('combines rarity and search, and an impossible combination is empty', async () => {
      const found = await walk(app, { rarity: 'LEGENDARY', search: 'BOW' });
      expect(found.map((i) => i.name)).toEqual(['Whisperwind Bow']);
      expect(await walk(app, { type: 'CONSUMABLE', slot: 'MAIN_HAND' })).toEqual([]);
    });

    it('refuses a search longer than 64 characters as BAD_USER_INPUT on filter.search', async () => {
      const res = await app.gql(LIST, { filter: { search: 'a'.repeat(65) } });
      expectRefused(res, 'BAD_USER_INPUT', ['filter.search']);
      expect((await page(app, { filter: { search: 'a'.repeat(64) } })).edges).toEqual([]);
    });

    it('refuses an unknown type, rarity or slot as BAD_USER_INPUT', async () => {
      for (const filter of [{ type: 'SWORD' }, { rarity: 'MYTHIC' }, { slot: 'TAIL' }]) {
        const res = await app.gql(LIST, { filter });
        expect(errorCode(res)).toBe('BAD_USER_INPUT');
        expect(res.errors![0].message).toContain(Object.keys(filter)[0]);
      }
    });
  });

  describe('pagination', () => {
    it('walks the whole catalogue 7 at a time: no duplicates, no gaps, then hasNextPage false', async () => {
      const whole = await walk(app);
      const seen: string[] = [];
      const cursors = new Set<string>();
      let after: string | undefined;
      let pages = 0;
      for (;;) {
        const p = await page(app, { first: 7, after });
        pages++;
        expect(p.edges.length).toBeGreaterThan(0);
        expect(p.edges.length).toBeLessThanOrEqual(7);
        for (const edge of p.edges) {
          seen.push(edge.node.id);
          cursors.add(edge.cursor);
        }
        expect(p.pageInfo.endCursor).toBe(p.edges.at(-1)!.cursor);
        if (!p.pageInfo.hasNextPage) break;
        expect(p.edges).toHaveLength(7);
        after = p.pageInfo.endCursor!;
      }
      expect(seen).toEqual(whole.map((i) => i.id));
      expect(new Set(seen).size).toBe(seen.length);
      expect(cursors.size).toBe(seen.length);
      expect(pages).toBe(Math.ceil(whole.length / 7));

      // Past the end: an empty page.
      const tail = await page(app, { first: 7, after: [...cursors].at(-1) });
      expect(tail).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
    });

    it('pages through a filtered list the same way', async () => {
      const whole = await walk(app, { type: 'CONSUMABLE' });
      expect(whole.length).toBeGreaterThan(4);
      const paged = await walk(app, { type: 'CONSUMABLE' }, 2);
      expect(paged).toEqual(whole);
    });

    it('reports hasNextPage true exactly when more items follow', async () => {
      const total = (await walk(app)).length;
      // The seed fits one page of 100, which keeps the edges below exact.
      expect(total).toBeLessThanOrEqual(100);
      expect((await page(app, { first: total - 1 })).pageInfo.hasNextPage).toBe(true);
      expect((await page(app, { first: total })).pageInfo.hasNextPage).toBe(false);
      expect((await page(app, { first: 1 })).pageInfo.hasNextPage).toBe(true);
    });

    it('returns 20 items when first is omitted, and up to 100 when asked', async () => {
      expect((await page(app, {})).edges).toHaveLength(20);
      const total = (await walk(app)).length;
      expect((await page(app, { first: 100 })).edges).toHaveLength(Math.min(total, 100));
    });

    it('continues from a cursor even after the item it came from is gone', async () => {
      // The cursor is a position (name, id), not a row reference.
      const admin = await registerAdmin(app);
      const made = await app.gql(CREATE, { input: VALID_WEAPON() }, admin.accessToken);
      const item = made.data!.createItem;
      const whole = await walk(app);
      const index = whole.findIndex((i) => i.id === item.id);
      const cursor = (await page(app, { first: index + 1 })).edges.at(-1)!.cursor;
      await app.sql(`delete from items where id = ?`, [item.id]);
      const next = await page(app, { first: 3, after: cursor });
      expect(next.edges.map((e) => e.node.id)).toEqual(
        whole.slice(index + 1, index + 4).map((i) => i.id),
      );
    });

    it('issues and accepts the cursor of an item with the longest name in 4-byte characters', async () => {
      // 64 CJK Extension B ideographs: letters, 4 bytes each in UTF-8.
      const name = Array.from(randomBytes(64), (b) => String.fromCodePoint(0x20000 + b * 37)).join(
        '',
      );
      expect([...name]).toHaveLength(64);
      const admin = await registerAdmin(app);
      const made = await app.gql(CREATE, { input: { ...VALID_WEAPON(), name } }, admin.accessToken);
      expect(made.errors).toBeUndefined();
      expect(made.data!.createItem.name).toBe(name);

      const whole = await walk(app);
      const index = whole.findIndex((i) => i.id === made.data!.createItem.id);
      const [edge] = (await page(app, { filter: { search: name }, first: 1 })).edges;
      expect(edge.node.name).toBe(name);
      expect(edge.cursor.length).toBeGreaterThan(200);
      const next = await page(app, { first: 100, after: edge.cursor });
      expect(next.edges.map((e) => e.node.id)).toEqual(whole.slice(index + 1).map((i) => i.id));
      await app.sql(`delete from items where id = ?`, [made.data!.createItem.id]);
    });

    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    it.each([
      ['garbage', 'not-a-cursor'],
      ['empty', ''],
      ['punctuation', '!!!'],
      ['base64 of plain text', b64('hello world')],
      ['an event-log cursor', b64('seq:5')],
      ['the wrong tag', b64(`player:["Torch","${randomUUID()}"]`)],
      ['broken JSON', b64('item:["Torch",')],
      ['a key without id', b64('item:["Torch"]')],
      ['a malformed id', b64('item:["Torch","not-a-uuid"]')],
      ['a number for the name', b64(`item:[42,"${randomUUID()}"]`)],
      ['an extra key part', b64(`item:["Torch","${randomUUID()}",1]`)],
      ['an object', b64(`item:{"name":"Torch","id":"${randomUUID()}"}`)],
      ['a long cursor', 'A'.repeat(500)],
      ['a cursor over 512 characters', 'A'.repeat(513)],
    ])('refuses %s as `after` with BAD_USER_INPUT on after', async (_label, after) => {
      expectRefused(await app.gql(LIST, { first: 5, after }), 'BAD_USER_INPUT', ['after']);
    });

    it('refuses a real cursor that was tampered with', async () => {
      const cursor = (await page(app, { first: 3 })).edges.at(-1)!.cursor;
      for (const after of [`${cursor}A`, `${cursor}==`, `${cursor}$`, cursor.slice(0, -1)]) {
        expectRefused(await app.gql(LIST, { first: 5, after }), 'BAD_USER_INPUT', ['after']);
      }
      // Control: the cursor itself is fine.
      expect((await page(app, { first: 5, after: cursor })).edges).toHaveLength(5);
    });

    it.each([0, -1, 101, 1000])(
      'refuses first = %p with BAD_USER_INPUT on first',
      async (first) => {
        expectRefused(await app.gql(LIST, { first }), 'BAD_USER_INPUT', ['first']);
      },
    );

    it('refuses a fractional first with BAD_USER_INPUT on first', async () => {
      expectRefused(await app.gql(LIST, { first: 2.5 }), 'BAD_USER_INPUT', ['first']);
    });
  });

  describe('item(id)', () => {
    it('returns one item, identical to its catalogue entry, to anyone', async () => {
      const id = seedItemId(HEALTH_POTION);
      const res = await app.gql(GET, { id });
      expect(res.errors).toBeUndefined();
      const listed = (await walk(app, { search: HEALTH_POTION })).find((i) => i.id === id);
      expect(listed).toBeDefined();
      expect(res.data!.item).toEqual(listed);
      expect(res.data!.item.name).toBe(HEALTH_POTION);
      const user = await registerUser(app);
      expect((await app.gql(GET, { id }, user.accessToken)).data!.item).toEqual(listed);
    });

    it('accepts the id in upper case', async () => {
      const id = seedItemId(MANA_POTION);
      const res = await app.gql(GET, { id: id.toUpperCase() });
      expect(res.data!.item.id).toBe(id);
    });

    it('answers an unknown id with NOT_FOUND', async () => {
      const res = await app.gql(GET, { id: randomUUID() });
      expectRefused(res, 'NOT_FOUND');
      expect(res.errors![0].extensions).not.toHaveProperty('fields');
    });

    it.each(['abc', '', '42', `${randomUUID()}x`])(
      'refuses the malformed id %j as BAD_USER_INPUT on id',
      async (id) => {
        expectRefused(await app.gql(GET, { id }), 'BAD_USER_INPUT', ['id']);
      },
    );
  });

  describe('createItem', () => {
    let admin: TestUser;

    beforeAll(async () => {
      admin = await registerAdmin(app);
    });

    const create = (input: Record<string, unknown>, token: string = admin.accessToken) =>
      app.gql(CREATE, { input }, token);

    it('lets an admin add a weapon: returned, stored, and listed', async () => {
      const input = VALID_WEAPON();
      const before = await snapshot(app);
      const res = await create(input);
      expect(res.errors).toBeUndefined();
      const item = res.data!.createItem;
      expect(item).toEqual({ id: expect.any(String), effects: [], ...input });

      const [row] = await app.sql(`select * from items where id = ?`, [item.id]);
      expect(row).toMatchObject({
        name: input.name,
        type: 'WEAPON',
        rarity: 'RARE',
        value: 120,
        weight: '3.25',
        slot: 'MAIN_HAND',
        stats: { strength: 3, dexterity: -1 },
        effects: [],
      });
      expect(Math.abs(Date.now() - new Date(row.created_at).getTime())).toBeLessThan(60_000);
      expect((await snapshot(app)).n).toBe(before.n + 1);

      expect((await app.gql(GET, { id: item.id })).data!.item).toEqual(item);
      expect(await walk(app, { search: input.name })).toEqual([item]);
      expect((await walk(app, { type: 'WEAPON', rarity: 'RARE' })).map((i) => i.id)).toContain(
        item.id,
      );
    });

    it.each<[string, Record<string, any>]>([
      [
        'a consumable with a buff',
        {
          ...VALID_CONSUMABLE(),
          effects: [
            { type: 'buff', stat: 'wisdom', amount: 4, turns: 12 },
            { type: 'restoreMana', amount: 40 },
          ],
        },
      ],
      [
        'a shield',
        {
          ...VALID_WEAPON(),
          type: 'ARMOR',
          slot: 'OFF_HAND',
          stats: { constitution: 2, maxHealth: 15 },
        },
      ],
      [
        'a ring',
        { ...VALID_WEAPON(), type: 'MISC', slot: 'RING', stats: { charisma: 1, maxMana: -5 } },
      ],
      [
        'a trinket without a slot',
        { ...VALID_WEAPON(), type: 'MISC', slot: null, stats: {}, weight: 0 },
      ],
      [
        'a material, free and weightless',
        {
          ...VALID_WEAPON(),
          type: 'MATERIAL',
          slot: undefined,
          stats: undefined,
          value: 0,
          weight: 0,
        },
      ],
      [
        'a quest item at the upper bounds',
        {
          ...VALID_WEAPON(),
          type: 'QUEST',
          rarity: 'LEGENDARY',
          slot: undefined,
          stats: undefined,
          value: 1_000_000,
          weight: 1000,
          description: 'd'.repeat(500),
        },
      ],
      [
        'extreme stat bonuses',
        {
          ...VALID_WEAPON(),
          stats: { strength: 50, dexterity: -50, maxHealth: 500, maxMana: -500 },
        },
      ],
    ])('accepts %s', async (_label, input) => {
      const res = await create(input);
      expect(res.errors).toBeUndefined();
      expect(res.data!.createItem).toEqual({
        id: expect.any(String),
        ...input,
        slot: input.slot ?? null,
        stats: input.stats ?? {},
        effects: 'effects' in input ? input.effects : [],
      });
      expect(await rowsNamed(app, input.name)).toBe(1);
    });

    it('stores the name trimmed, with inner whitespace collapsed, in composed form', async () => {
      const tail = letters(8);
      const res = await create({
        ...VALID_WEAPON(),
        name: `  Épée   de\t${tail}  `.normalize('NFD'),
      });
      expect(res.errors).toBeUndefined();
      expect(res.data!.createItem.name).toBe(`Épée de ${tail}`);
      const [row] = await app.sql(`select name from items where id = ?`, [res.data!.createItem.id]);
      expect(row.name).toBe(`Épée de ${tail}`);
    });

    it('refuses a PLAYER with FORBIDDEN and writes nothing', async () => {
      const player = await registerUser(app);
      const input = VALID_WEAPON();
      const before = await snapshot(app);
      expectRefused(await create(input, player.accessToken), 'FORBIDDEN');
      // Even an invalid input: the role is checked first.
      expectRefused(await create({ ...input, value: -1 }, player.accessToken), 'FORBIDDEN');
      expect(await snapshot(app)).toEqual(before);
      expect(await rowsNamed(app, input.name)).toBe(0);
    });

    it('reads the role from the token: a promotion counts from the next login', async () => {
      const user = await registerUser(app);
      await app.sql(`update users set role = 'ADMIN' where id = ?`, [user.id]);
      const input = VALID_WEAPON();
      const before = await snapshot(app);
      expectRefused(await create(input, user.accessToken), 'FORBIDDEN');
      expect(await snapshot(app)).toEqual(before);

      const login = await app.gql(LOGIN, { input: { login: user.email, password: PASSWORD } });
      const res = await create(input, login.data!.login.accessToken);
      expect(res.errors).toBeUndefined();
      expect(await rowsNamed(app, input.name)).toBe(1);
    });

    it('refuses an anonymous caller or a bad token with UNAUTHENTICATED and writes nothing', async () => {
      const input = VALID_WEAPON();
      const before = await snapshot(app);
      expectRefused(await app.gql(CREATE, { input }), 'UNAUTHENTICATED');
      expectRefused(await create(input, 'not.a.token'), 'UNAUTHENTICATED');
      expect(await snapshot(app)).toEqual(before);
    });

    const weapon = VALID_WEAPON;
    const consumable = VALID_CONSUMABLE;
    const heal = (amount: unknown) => [{ type: 'heal', amount }];
    const buff = (extra: Record<string, unknown>) => [
      { type: 'buff', stat: 'strength', amount: 2, turns: 5, ...extra },
    ];
    it.each<[string, () => Record<string, unknown>, string[]]>([
      // name
      ['an empty name', () => ({ ...weapon(), name: '' }), ['name']],
      ['a one-letter name', () => ({ ...weapon(), name: 'A' }), ['name']],
      ['a name of one letter after trimming', () => ({ ...weapon(), name: '   B   ' }), ['name']],
      ['a 65-character name', () => ({ ...weapon(), name: `Blade ${'x'.repeat(59)}` }), ['name']],
      [
        'a name with a variation selector past 64',
        () => ({ ...weapon(), name: `${'A'.repeat(64)}\ufe0f` }),
        ['name'],
      ],
      ['a name starting with a hyphen', () => ({ ...weapon(), name: '-Blade' }), ['name']],
      ['a name with punctuation', () => ({ ...weapon(), name: 'Blade!' }), ['name']],
      ['a name with a zero-width space', () => ({ ...weapon(), name: 'Bla\u200bde' }), ['name']],
      ['a name with a percent sign', () => ({ ...weapon(), name: '100% Blade' }), ['name']],
      ['a numeric name', () => ({ ...weapon(), name: 42 }), ['name']],
      // description
      ['an empty description', () => ({ ...weapon(), description: '' }), ['description']],
      ['a blank description', () => ({ ...weapon(), description: '   ' }), ['description']],
      [
        'a 501-character description',
        () => ({ ...weapon(), description: 'd'.repeat(501) }),
        ['description'],
      ],
      // type and rarity
      ['an unknown type', () => ({ ...weapon(), type: 'SWORD' }), ['type']],
      ['a lower-case type', () => ({ ...weapon(), type: 'weapon' }), ['type']],
      ['an unknown rarity', () => ({ ...weapon(), rarity: 'MYTHIC' }), ['rarity']],
      ['a missing rarity', () => ({ ...weapon(), rarity: undefined }), ['rarity']],
      // value
      ['a negative value', () => ({ ...weapon(), value: -1 }), ['value']],
      ['a fractional value', () => ({ ...weapon(), value: 1.5 }), ['value']],
      ['a value over 1 000 000', () => ({ ...weapon(), value: 1_000_001 }), ['value']],
      ['a value past Int', () => ({ ...weapon(), value: 2 ** 31 }), ['value']],
      ['a string value', () => ({ ...weapon(), value: '10' }), ['value']],
      ['a null value', () => ({ ...weapon(), value: null }), ['value']],
      // weight
      ['a negative weight', () => ({ ...weapon(), weight: -0.5 }), ['weight']],
      ['a weight with three decimals', () => ({ ...weapon(), weight: 1.234 }), ['weight']],
      ['a weight too small to store', () => ({ ...weapon(), weight: 1e-7 }), ['weight']],
      ['a weight over 1000', () => ({ ...weapon(), weight: 1000.01 }), ['weight']],
      ['a string weight', () => ({ ...weapon(), weight: 'heavy' }), ['weight']],
      // slot
      ['a weapon without a slot', () => ({ ...weapon(), slot: null }), ['slot']],
      ['a weapon on the head', () => ({ ...weapon(), slot: 'HEAD' }), ['slot']],
      [
        'armour in the main hand',
        () => ({ ...weapon(), type: 'ARMOR', slot: 'MAIN_HAND' }),
        ['slot'],
      ],
      [
        'armour without a slot',
        () => ({ ...weapon(), type: 'ARMOR', slot: undefined, stats: {} }),
        ['slot'],
      ],
      ['a ring that is armour', () => ({ ...weapon(), type: 'ARMOR', slot: 'RING' }), ['slot']],
      ['a consumable with a slot', () => ({ ...consumable(), slot: 'MAIN_HAND' }), ['slot']],
      [
        'a material with a slot',
        () => ({ ...weapon(), type: 'MATERIAL', slot: 'BACK', stats: {} }),
        ['slot'],
      ],
      [
        'a quest item with a slot',
        () => ({ ...weapon(), type: 'QUEST', slot: 'AMULET', stats: {} }),
        ['slot'],
      ],
      ['a misc item on the chest', () => ({ ...weapon(), type: 'MISC', slot: 'CHEST' }), ['slot']],
      ['an unknown slot', () => ({ ...weapon(), slot: 'TAIL' }), ['slot']],
      // stats
      ['an unknown stat', () => ({ ...weapon(), stats: { luck: 1 } }), ['stats']],
      ['a fractional stat', () => ({ ...weapon(), stats: { strength: 1.5 } }), ['stats']],
      ['a stat given as a string', () => ({ ...weapon(), stats: { strength: '2' } }), ['stats']],
      ['a stat over 50', () => ({ ...weapon(), stats: { strength: 51 } }), ['stats']],
      ['a stat under -50', () => ({ ...weapon(), stats: { wisdom: -51 } }), ['stats']],
      ['maxHealth over 500', () => ({ ...weapon(), stats: { maxHealth: 501 } }), ['stats']],
      ['a zero stat', () => ({ ...weapon(), stats: { strength: 0 } }), ['stats']],
      ['a null stat', () => ({ ...weapon(), stats: { strength: null } }), ['stats']],
      ['stats as a list', () => ({ ...weapon(), stats: [1, 2] }), ['stats']],
      ['stats as a string', () => ({ ...weapon(), stats: 'strong' }), ['stats']],
      [
        'stats on an item without a slot',
        () => ({ ...weapon(), type: 'MATERIAL', slot: null, stats: { strength: 1 } }),
        ['stats'],
      ],
      ['stats on a consumable', () => ({ ...consumable(), stats: { strength: 1 } }), ['stats']],
      // effects
      ['effects on a weapon', () => ({ ...weapon(), effects: heal(10) }), ['effects']],
      [
        'effects on a quest item',
        () => ({ ...weapon(), type: 'QUEST', slot: null, stats: {}, effects: heal(10) }),
        ['effects'],
      ],
      ['a consumable without effects', () => ({ ...consumable(), effects: [] }), ['effects']],
      [
        'a consumable with effects left out',
        () => ({ ...consumable(), effects: undefined }),
        ['effects'],
      ],
      [
        'an unknown effect',
        () => ({ ...consumable(), effects: [{ type: 'fly', amount: 1 }] }),
        ['effects'],
      ],
      [
        'an effect without a type',
        () => ({ ...consumable(), effects: [{ amount: 1 }] }),
        ['effects'],
      ],
      [
        'a heal without an amount',
        () => ({ ...consumable(), effects: [{ type: 'heal' }] }),
        ['effects'],
      ],
      ['a heal of 0', () => ({ ...consumable(), effects: heal(0) }), ['effects']],
      ['a negative heal', () => ({ ...consumable(), effects: heal(-5) }), ['effects']],
      ['a fractional heal', () => ({ ...consumable(), effects: heal(2.5) }), ['effects']],
      ['a heal over 1000', () => ({ ...consumable(), effects: heal(1001) }), ['effects']],
      ['a heal given as a string', () => ({ ...consumable(), effects: heal('50') }), ['effects']],
      [
        'an effect with an extra field',
        () => ({ ...consumable(), effects: [{ type: 'heal', amount: 5, turns: 2 }] }),
        ['effects'],
      ],
      [
        'a restoreMana of 0',
        () => ({ ...consumable(), effects: [{ type: 'restoreMana', amount: 0 }] }),
        ['effects'],
      ],
      [
        'a buff of an unknown stat',
        () => ({ ...consumable(), effects: buff({ stat: 'luck' }) }),
        ['effects'],
      ],
      [
        'a buff of maxHealth (not an attribute)',
        () => ({ ...consumable(), effects: buff({ stat: 'maxHealth' }) }),
        ['effects'],
      ],
      [
        'a buff without turns',
        () => ({ ...consumable(), effects: buff({ turns: undefined }) }),
        ['effects'],
      ],
      ['a buff of 0 turns', () => ({ ...consumable(), effects: buff({ turns: 0 }) }), ['effects']],
      [
        'a buff of 101 turns',
        () => ({ ...consumable(), effects: buff({ turns: 101 }) }),
        ['effects'],
      ],
      ['a buff over 50', () => ({ ...consumable(), effects: buff({ amount: 51 }) }), ['effects']],
      ['a negative buff', () => ({ ...consumable(), effects: buff({ amount: -2 }) }), ['effects']],
      [
        'the same effect twice',
        () => ({ ...consumable(), effects: [...heal(10), ...heal(20)] }),
        ['effects'],
      ],
      [
        'two buffs of one stat',
        () => ({ ...consumable(), effects: [...buff({}), ...buff({ amount: 3 })] }),
        ['effects'],
      ],
      [
        'five effects',
        () => ({
          ...consumable(),
          effects: [
            ...heal(1),
            { type: 'restoreMana', amount: 1 },
            ...buff({}),
            ...buff({ stat: 'wisdom' }),
            ...buff({ stat: 'charisma' }),
          ],
        }),
        ['effects'],
      ],
      [
        'effects as an object',
        () => ({ ...consumable(), effects: { type: 'heal', amount: 10 } }),
        ['effects'],
      ],
      ['effects as a string', () => ({ ...consumable(), effects: 'heal' }), ['effects']],
      ['a null effect', () => ({ ...consumable(), effects: [null] }), ['effects']],
      // several at once: every bad field is named
      [
        'a bad name and a bad value',
        () => ({ ...weapon(), name: '', value: -1 }),
        ['name', 'value'],
      ],
      [
        'a bad slot and bad stats',
        () => ({ ...weapon(), type: 'MATERIAL', slot: 'HEAD', stats: { luck: 1 } }),
        ['slot', 'stats'],
      ],
    ])('refuses %s as BAD_USER_INPUT and writes nothing', async (_label, makeInput, fields) => {
      const input = makeInput();
      const before = await snapshot(app);
      const res = await create(input);
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions.fields).toEqual(fields);
      expect(res.data ?? null).toBeNull();
      expect(await snapshot(app)).toEqual(before);
      if (typeof input.name === 'string' && input.name.trim().length >= 2)
        expect(await rowsNamed(app, input.name)).toBe(0);
    });

    it('refuses a taken name as CONFLICT on name, whatever its case or spacing', async () => {
      const before = await snapshot(app);
      for (const name of [HEALTH_POTION, 'health potion', 'HEALTH POTION', '  Health   Potion '])
        expectRefused(await create({ ...consumable(), name }), 'CONFLICT', ['name']);
      expect(await snapshot(app)).toEqual(before);
      expect(await rowsNamed(app, HEALTH_POTION)).toBe(1);
    });

    it('compares non-ASCII names case-insensitively and in one Unicode form', async () => {
      const name = `Épée Ancienne ${letters(6)}`;
      expect((await create({ ...weapon(), name })).errors).toBeUndefined();
      const before = await snapshot(app);
      for (const attempt of [name.toUpperCase(), name.toLowerCase(), name.normalize('NFD')])
        expectRefused(await create({ ...weapon(), name: attempt }), 'CONFLICT', ['name']);
      expect(await snapshot(app)).toEqual(before);
    });

    it('lets exactly 1 of 10 concurrent creations of one name succeed; the rest are CONFLICT', async () => {
      const name = uniqueItemName('Race Blade');
      const before = await snapshot(app);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          create({ ...weapon(), name: i % 2 ? name : name.toUpperCase() }),
        ),
      );
      const ok = results.filter((r) => !r.errors);
      const refused = results.filter((r) => r.errors);
      expect(ok).toHaveLength(1);
      expect(refused).toHaveLength(9);
      for (const r of refused) expectRefused(r, 'CONFLICT', ['name']);
      expect(await rowsNamed(app, name)).toBe(1);
      expect((await snapshot(app)).n).toBe(before.n + 1);
      const [row] = await app.sql(`select id from items where lower(name) = lower(?)`, [name]);
      expect(row.id).toBe(ok[0].data!.createItem.id);
    });
  });

  describe('database CHECK constraints', () => {
    let weaponId: string;
    let consumableId: string;

    beforeAll(async () => {
      const admin = await registerAdmin(app);
      const w = await app.gql(CREATE, { input: VALID_WEAPON() }, admin.accessToken);
      const c = await app.gql(CREATE, { input: VALID_CONSUMABLE() }, admin.accessToken);
      weaponId = w.data!.createItem.id;
      consumableId = c.data!.createItem.id;
    });

    const row = async (id: string) => (await app.sql(`select * from items where id = ?`, [id]))[0];

    it.each<[string, 'weapon' | 'consumable', string]>([
      ['a negative value', 'weapon', 'value = -1'],
      ['a negative weight', 'weapon', 'weight = -0.01'],
      ['a weapon without a slot', 'weapon', 'slot = null'],
      ['a weapon on the head', 'weapon', "slot = 'HEAD'"],
      ['an unknown slot', 'weapon', "slot = 'TAIL'"],
      ['an unknown type', 'weapon', "type = 'SWORD'"],
      ['an unknown rarity', 'weapon', "rarity = 'MYTHIC'"],
      ['stats that are not an object', 'weapon', `stats = '[1]'`],
      ['effects on a weapon', 'weapon', `effects = '[{"type":"heal","amount":5}]'`],
      ['effects that are not a list', 'consumable', `effects = '{"type":"heal"}'`],
      ['a consumable without effects', 'consumable', `effects = '[]'`],
      ['a consumable with a slot', 'consumable', "slot = 'MAIN_HAND'"],
      ['stats without a slot', 'consumable', `stats = '{"strength":1}'`],
    ])('rejects %s', async (_label, which, assignment) => {
      const id = which === 'weapon' ? weaponId : consumableId;
      const before = await row(id);
      await expect(app.sql(`update items set ${assignment} where id = ?`, [id])).rejects.toThrow(
        /violates check constraint/,
      );
      expect(await row(id)).toEqual(before);
    });

    it('rejects a second row whose name differs only in case', async () => {
      const before = await snapshot(app);
      await expect(
        app.sql(
          `insert into items (id, name, description, type, rarity, value, weight, slot, stats, effects, created_at)
           select ?, upper(name), description, type, rarity, value, weight, slot, stats, effects, now() from items where id = ?`,
          [randomUUID(), weaponId],
        ),
      ).rejects.toThrow(/items_name_lower_unique/);
      expect(await snapshot(app)).toEqual(before);
    });

    it('accepts the edges of the ranges (control for the cases above)', async () => {
      await app.sql(`update items set value = 0, weight = 0 where id = ?`, [weaponId]);
      await app.sql(`update items set slot = 'OFF_HAND', stats = '{}' where id = ?`, [weaponId]);
      expect(await row(weaponId)).toMatchObject({ value: 0, weight: '0.00', slot: 'OFF_HAND' });
    });
  });
});
