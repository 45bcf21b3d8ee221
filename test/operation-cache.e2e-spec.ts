import { OperationCache } from '../src/common/cache/operation-cache';
import { BUMP_KEY, ResponseCache } from '../src/common/cache/response-cache';
import { MetricsService } from '../src/infra/metrics/metrics.service';
import { HEALTH_POTION, seedItemId } from '../src/modules/items/items.seed';
import { createPlayer, errorCode, registerUser, TestUser } from './support/factories';
import { countStatements } from './support/statements';
import { bootTestApp, TestApp } from './support/test-app';

const POTION = seedItemId(HEALTH_POTION);
const SWORD = seedItemId('Rusty Longsword');

/** The hot read of bench/hot-read.ts: a character with everything a client polls. */
const HOT = `query Hot($id: ID!) {
  player(id: $id) {
    id characterName level experience experienceToNextLevel health maxHealth gold carryWeight carryCapacity
    stats { strength dexterity }
    inventory { quantity equipped slot item { id name rarity weight } }
    quests(status: ACTIVE) { id title progress objectives { kind current required done } rewards { gold items { quantity item { name } } } }
    location { id name exits { id name } }
  }
}`;
const WITH_EVENTS = `query($id: ID!) { player(id: $id) { id events(first: 2) { edges { node { type } } } } }`;
const USE = `mutation($playerId: ID!, $itemId: ID!) { useItem(playerId: $playerId, itemId: $itemId) { id } }`;
const EQUIP = `mutation($playerId: ID!, $itemId: ID!) { equipItem(playerId: $playerId, itemId: $itemId) { id } }`;
const UNEQUIP = `mutation($playerId: ID!, $itemId: ID!) { unequipItem(playerId: $playerId, itemId: $itemId) { id } }`;
const TRAVEL = `mutation($playerId: ID!, $locationId: ID!) { travel(playerId: $playerId, locationId: $locationId) { id } }`;
const GENERATE = `mutation($playerId: ID!) { generateQuest(playerId: $playerId) { id } }`;
const ACCEPT = `mutation($questId: ID!) { acceptQuest(questId: $questId) { id } }`;
const LOGOUT = `mutation($token: String!) { logout(refreshToken: $token) }`;

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

async function hits(app: TestApp): Promise<number> {
  const metric = await app.running.app.get(MetricsService).cacheLookups.get();
  return metric.values.find((v) => v.labels.result === 'hit')?.value ?? 0;
}

function potions(answer: { data?: Record<string, any> | null }): number {
  const entries = answer.data!.player.inventory as { quantity: number; item: { id: string } }[];
  return entries.find((e) => e.item.id === POTION)?.quantity ?? 0;
}

describe('Operation cache (whole query answers)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await bootTestApp({
      REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX ?? 'lm'}-oc-${Date.now().toString(36)}`,
    });
  }, 60_000);
  afterAll(() => app.close());

  async function newCharacter(): Promise<{ user: TestUser; id: string }> {
    const user = await registerUser(app);
    const player = await createPlayer(app, user);
    return { user, id: player.id as string };
  }

  it('answers a repeated hot read whole, without a statement, equal to the uncached answer', async () => {
    const { user, id } = await newCharacter();
    for (let i = 0; i < 2; i++) {
      const quest = await app.gql(GENERATE, { playerId: id }, user.accessToken);
      await app.gql(ACCEPT, { questId: quest.data!.generateQuest.id }, user.accessToken);
    }
    const first = await app.gql(HOT, { id }, user.accessToken);
    expect(first.errors).toBeUndefined();
    // Every part of the read is there, rewards included.
    expect(first.data!.player.quests).toHaveLength(2);
    expect(first.data!.player.inventory.length).toBeGreaterThan(0);
    const before = await hits(app);
    let again: unknown;
    const statements = await countStatements(app, async () => {
      const res = await app.gql(HOT, { id }, user.accessToken);
      again = res;
      return res;
    });
    expect(statements).toBe(0);
    expect(again).toEqual(first);
    expect((await hits(app)) - before).toBe(1);
  });

  it('classifies fields: properties free, declared resolvers tagged, the rest uncacheable', () => {
    const cache = app.running.app.get(OperationCache);
    expect(cache.policyOf('Player', 'level')).toBe('property');
    expect(cache.policyOf('Item', 'name')).toBe('property');
    expect(cache.policyOf('Query', 'player')).toBe('tags');
    expect(cache.policyOf('Player', 'inventory')).toBe('tags');
    expect(cache.policyOf('InventoryEntry', 'item')).toBe('tags');
    expect(cache.policyOf('Player', 'events')).toBe('none');
    expect(cache.policyOf('Query', 'me')).toBe('none');
  });

  it('shows every write of the character on the very next read', async () => {
    const { user, id } = await newCharacter();
    const read = () => app.gql(HOT, { id }, user.accessToken);
    const write = async (query: string, variables: Record<string, unknown>) => {
      const res = await app.gql(query, variables, user.accessToken);
      expect(res.errors).toBeUndefined();
      return res.data!;
    };
    let now = await read();
    await read(); // cached from here on
    const quantity = potions(now);

    await app.sql(`update players set health = 10 where id = ?`, [id]);
    // A change by SQL alone bypasses the ORM's change sets: the entry is still served ...
    expect((await read()).data!.player.health).toBe(now.data!.player.health);
    // ... until a write through the server touches the character.
    await write(USE, { playerId: id, itemId: POTION });
    now = await read();
    expect(potions(now)).toBe(quantity - 1);
    expect(now.data!.player.health).toBeGreaterThan(10);

    await write(UNEQUIP, { playerId: id, itemId: SWORD });
    now = await read();
    expect(now.data!.player.inventory.find((e: any) => e.item.id === SWORD).equipped).toBe(false);
    await write(EQUIP, { playerId: id, itemId: SWORD });
    now = await read();
    expect(now.data!.player.inventory.find((e: any) => e.item.id === SWORD).equipped).toBe(true);

    const exit = now.data!.player.location.exits[0].id as string;
    await write(TRAVEL, { playerId: id, locationId: exit });
    expect((await read()).data!.player.location.id).toBe(exit);

    const quest = await write(GENERATE, { playerId: id });
    await write(ACCEPT, { questId: quest.generateQuest.id });
    expect((await read()).data!.player.quests.map((q: any) => q.id)).toContain(
      quest.generateQuest.id,
    );
  });

  it('never serves one user the answer cached for another', async () => {
    const alice = await newCharacter();
    const mallory = await registerUser(app);
    await app.gql(HOT, { id: alice.id }, alice.user.accessToken);
    await app.gql(HOT, { id: alice.id }, alice.user.accessToken);
    const stolen = await app.gql(HOT, { id: alice.id }, mallory.accessToken);
    expect(errorCode(stolen)).toBe('NOT_FOUND');
    expect(stolen.data?.player ?? null).toBeNull();
    const anonymous = await app.gql(HOT, { id: alice.id });
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
  });

  it('refuses a cached read once the session is logged out, and a forged token', async () => {
    const { user, id } = await newCharacter();
    await app.gql(HOT, { id }, user.accessToken);
    expect((await app.gql(HOT, { id }, user.accessToken)).errors).toBeUndefined();
    const forged = `${user.accessToken.slice(0, -4)}AAAA`;
    expect(errorCode(await app.gql(HOT, { id }, forged))).toBe('UNAUTHENTICATED');
    expect(
      (await app.gql(LOGOUT, { token: user.refreshToken }, user.accessToken)).errors,
    ).toBeUndefined();
    const after = await app.gql(HOT, { id }, user.accessToken);
    expect(errorCode(after)).toBe('UNAUTHENTICATED');
    expect(after.data?.player ?? null).toBeNull();
  });

  it('never caches a query that reads a field without declared tags', async () => {
    const { user, id } = await newCharacter();
    await app.gql(WITH_EVENTS, { id }, user.accessToken);
    const statements = await countStatements(app, () =>
      app.gql(WITH_EVENTS, { id }, user.accessToken),
    );
    expect(statements).toBeGreaterThan(0);
  });

  it('does not store an answer when a write commits while it is computed (the bump marker)', async () => {
    const { user, id } = await newCharacter();
    const cache = app.running.app.get(ResponseCache);
    const read = cache.read.bind(cache);
    let written: Promise<unknown> | undefined;
    // The miss below has read the character; before it reads its tag versions to store the
    // answer, a write commits and bumps them. Stored, that answer would be served stale.
    const spy = jest.spyOn(cache, 'read').mockImplementation(async (keys) => {
      if (keys[0] === BUMP_KEY && !written) {
        written = app.gql(USE, { playerId: id, itemId: POTION }, user.accessToken);
        await written;
      }
      return read(keys);
    });
    try {
      const before = potions(await app.gql(HOT, { id }, user.accessToken));
      await waitUntil(() => written !== undefined);
      await written;
      expect(potions(await app.gql(HOT, { id }, user.accessToken))).toBe(before - 1);
    } finally {
      spy.mockRestore();
    }
  });

  it('keeps reads and writes racing each other consistent: the read after a write shows it', async () => {
    const { user, id } = await newCharacter();
    await app.sql(
      `update inventory_entries set quantity = 40 where player_id = ? and item_id = ?`,
      [id, POTION],
    );
    await app.gql(USE, { playerId: id, itemId: POTION }, user.accessToken);
    for (let round = 0; round < 12; round++) {
      // Reads start before, during and after the write; the read that follows must see it.
      await Promise.all([
        app.gql(HOT, { id }, user.accessToken),
        app.gql(USE, { playerId: id, itemId: POTION }, user.accessToken),
        app.gql(HOT, { id }, user.accessToken),
        new Promise((r) => setTimeout(r, round % 4)).then(() =>
          app.gql(HOT, { id }, user.accessToken),
        ),
      ]);
      const [row] = await app.sql<{ quantity: number }>(
        `select quantity from inventory_entries where player_id = ? and item_id = ?`,
        [id, POTION],
      );
      expect(potions(await app.gql(HOT, { id }, user.accessToken))).toBe(row.quantity);
    }
  });
});

describe('Operation cache and the rate limit', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await bootTestApp({
      REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX ?? 'lm'}-ocrl-${Date.now().toString(36)}`,
      RATE_LIMIT_DEFAULT: '6',
    });
  }, 60_000);
  afterAll(() => app.close());

  it('counts cached answers against the limit, and refuses past it with retryAfter', async () => {
    const user = await registerUser(app); // anonymous: counted by address, not by this user
    const player = await createPlayer(app, user); // 1
    const id = player.id as string;
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await app.gql(HOT, { id }, user.accessToken));
    expect(answers.slice(0, 5).every((a) => !a.errors)).toBe(true); // 2..6
    const limited = answers[5];
    expect(errorCode(limited)).toBe('RATE_LIMITED');
    expect(limited.errors![0].extensions.retryAfter).toBeGreaterThan(0);
  });
});
