import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import {
  EventsService,
  gameEventsTopic,
  locationEventsTopic,
} from '../src/modules/events/events.service';
import { InventoryService } from '../src/modules/inventory/inventory.service';
import { InventoryEntry } from '../src/modules/inventory/inventory-entry.entity';
import {
  HEALTH_POTION,
  ITEM_SEED,
  MANA_POTION,
  seedItemId,
  STARTER_WEAPONS,
} from '../src/modules/items/items.seed';
import { CharacterClass, CLASS_TEMPLATES } from '../src/modules/players/character-class';
import { Player } from '../src/modules/players/player.entity';
import { STARTING_LOCATION_ID } from '../src/modules/world/world.seed';
import {
  createPlayer,
  errorCode,
  registerUser,
  TestUser,
  uniqueCharacterName,
} from './support/factories';
import { bootTestApp, GqlResult, TestApp } from './support/test-app';
import { countStatements } from './support/statements';
import { subscribe, Subscription, waitFor, wsClient } from './support/ws';

const POTION = seedItemId(HEALTH_POTION);
const MANA = seedItemId(MANA_POTION);
const LONGSWORD = seedItemId('Rusty Longsword');
const GREATSWORD = seedItemId('Dawnbreaker Greatsword');
const DRAGONSCALE = seedItemId('Dragonscale Mail');
const RING = seedItemId('Ring of Vigor');
const SHIELD = seedItemId("Knight's Tower Shield");
const ELIXIR = seedItemId('Elixir of Giant Strength');
const ORE = seedItemId('Iron Ore');
const CLASSES = Object.values(CharacterClass);
const seed = (id: string) => ITEM_SEED.find((i) => seedItemId(i.name) === id)!;

const ENTRY = 'id quantity equipped slot item { id name }';
const FIELDS = `id characterName health maxHealth mana maxMana carryWeight carryCapacity
  stats { strength dexterity intelligence constitution wisdom charisma }
  inventory { ${ENTRY} }`;
const PLAYER = `query($id: ID!) { player(id: $id) { ${FIELDS} } }`;
const CREATE = `mutation($input: CreatePlayerInput!) { createPlayer(input: $input) { ${FIELDS} } }`;
const EQUIP = `mutation($playerId: ID!, $itemId: ID!) { equipItem(playerId: $playerId, itemId: $itemId) { ${FIELDS} } }`;
const UNEQUIP = `mutation($playerId: ID!, $itemId: ID!) { unequipItem(playerId: $playerId, itemId: $itemId) { ${FIELDS} } }`;
const USE = `mutation($playerId: ID!, $itemId: ID!) { useItem(playerId: $playerId, itemId: $itemId) { ${FIELDS} } }`;
const DROP = `mutation($playerId: ID!, $itemId: ID!, $quantity: Int!) {
  dropItem(playerId: $playerId, itemId: $itemId, quantity: $quantity) { ${FIELDS} } }`;
const GIVE = `mutation($from: ID!, $to: ID!, $itemId: ID!, $quantity: Int!) {
  giveItem(fromPlayerId: $from, toPlayerId: $to, itemId: $itemId, quantity: $quantity) { ${FIELDS} } }`;
const GAME_EVENTS = `subscription($playerId: ID!) { gameEvents(playerId: $playerId) { id playerId type name data } }`;
const LOCATION_EVENTS = `subscription($locationId: ID!) { locationEvents(locationId: $locationId) { id playerId type name data } }`;

/** One error with this code (and these fields, if given), a timestamp, and no data. */
function expectRefused(res: GqlResult, code: string, fields?: string[]): void {
  expect(errorCode(res)).toBe(code);
  const { extensions } = res.errors![0];
  expect(new Date(extensions.timestamp).toISOString()).toBe(extensions.timestamp);
  if (fields) expect(extensions.fields).toEqual(fields);
  expect(res.data ?? null).toBeNull();
}

function ok<T = any>(res: GqlResult, field: string): T {
  expect(res.errors).toBeUndefined();
  return res.data![field];
}

/** Base stats plus bonuses, as the API shows them. */
function withBonuses(base: Record<string, number>, ...bonuses: Record<string, number>[]) {
  return Object.fromEntries(
    Object.entries(base).map(([k, v]) => [
      k,
      Math.max(0, v + bonuses.reduce((s, b) => s + (b[k] ?? 0), 0)),
    ]),
  );
}

describe('inventory', () => {
  let app: TestApp;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    // Most tests make a fresh character of alice's: room for all of them.
    app = await bootTestApp({ MAX_PLAYERS_PER_USER: '200' });
    alice = await registerUser(app);
    bob = await registerUser(app);
  });
  afterAll(() => app.close());

  const newPlayer = (user: TestUser, characterClass = 'WARRIOR') =>
    createPlayer(app, user, { characterClass });
  const equip = (user: TestUser | undefined, playerId: string, itemId: string) =>
    app.gql(EQUIP, { playerId, itemId }, user?.accessToken);
  const unequip = (user: TestUser | undefined, playerId: string, itemId: string) =>
    app.gql(UNEQUIP, { playerId, itemId }, user?.accessToken);
  const use = (user: TestUser | undefined, playerId: string, itemId: string) =>
    app.gql(USE, { playerId, itemId }, user?.accessToken);
  const drop = (user: TestUser | undefined, playerId: string, itemId: string, quantity: unknown) =>
    app.gql(DROP, { playerId, itemId, quantity }, user?.accessToken);
  const give = (
    user: TestUser | undefined,
    from: string,
    to: string,
    itemId: string,
    quantity: unknown,
  ) => app.gql(GIVE, { from, to, itemId, quantity }, user?.accessToken);

  /** A character's stacks in the database: item id -> [quantity, equipped slot]. */
  async function stacks(playerId: string): Promise<Record<string, [number, string | null]>> {
    const rows = await app.sql<{ item_id: string; quantity: number; equipped_slot: string }>(
      `select item_id, quantity, equipped_slot from inventory_entries where player_id = ?`,
      [playerId],
    );
    return Object.fromEntries(rows.map((r) => [r.item_id, [r.quantity, r.equipped_slot]]));
  }

  async function row(playerId: string): Promise<Record<string, any>> {
    const [found] = await app.sql(`select * from players where id = ?`, [playerId]);
    return found;
  }

  async function events(playerId: string, type?: string): Promise<{ type: string; data: any }[]> {
    return app.sql(
      `select type, data from game_events where player_id = ? ${type ? 'and type = ?' : ''} order by id`,
      type ? [playerId, type] : [playerId],
    );
  }

  /** Everything a refusal must leave alone: the characters' rows, stacks and event logs. */
  async function snapshot(...playerIds: string[]) {
    return Promise.all(
      playerIds.map(async (id) => ({
        row: await row(id),
        stacks: await stacks(id),
        events: (await events(id)).length,
      })),
    );
  }

  /** Sets a stack directly (test set-up): quantity 0 removes it. */
  async function put(
    playerId: string,
    itemId: string,
    quantity: number,
    slot: string | null = null,
  ) {
    await app.sql(`delete from inventory_entries where player_id = ? and item_id = ?`, [
      playerId,
      itemId,
    ]);
    if (quantity > 0)
      await app.sql(
        `insert into inventory_entries (id, player_id, item_id, quantity, equipped_slot, created_at) values (?, ?, ?, ?, ?, now())`,
        [randomUUID(), playerId, itemId, quantity, slot],
      );
  }

  describe('starter kit', () => {
    it.each(CLASSES)(
      'gives a new %s 3 Health Potions and its class weapon, in hand, in the creation transaction',
      async (cls) => {
        const res = await app.gql(
          CREATE,
          { input: { characterName: uniqueCharacterName(), characterClass: cls } },
          alice.accessToken,
        );
        const player = ok(res, 'createPlayer');
        const weaponId = seedItemId(STARTER_WEAPONS[cls]);
        const weapon = seed(weaponId);
        const template = CLASS_TEMPLATES[cls];
        const bonus = weapon.stats as Record<string, number>;

        // Both stacks are created in one transaction: their order is a tie.
        expect(player.inventory).toHaveLength(2);
        expect(player.inventory).toEqual(
          expect.arrayContaining([
            {
              id: expect.any(String),
              quantity: 3,
              equipped: false,
              slot: null,
              item: { id: POTION, name: HEALTH_POTION },
            },
            {
              id: expect.any(String),
              quantity: 1,
              equipped: true,
              slot: 'MAIN_HAND',
              item: { id: weaponId, name: STARTER_WEAPONS[cls] },
            },
          ]),
        );
        expect(player.stats).toEqual(withBonuses({ ...template.stats }, bonus));
        // Full, including what the weapon adds to the maxima.
        expect(player.maxHealth).toBe(template.maxHealth + (bonus.maxHealth ?? 0));
        expect(player.maxMana).toBe(template.maxMana + (bonus.maxMana ?? 0));
        expect(player.health).toBe(player.maxHealth);
        expect(player.mana).toBe(player.maxMana);
        expect(player.carryWeight).toBeCloseTo(1.5 + weapon.weight, 5);
        expect(player.carryCapacity).toBe(50 + 10 * player.stats.strength);

        expect(await stacks(player.id)).toEqual({
          [POTION]: [3, null],
          [weaponId]: [1, 'MAIN_HAND'],
        });
        expect(await events(player.id)).toEqual([
          { type: 'PLAYER_CREATED', data: expect.any(Object) },
          {
            type: 'ITEM_ACQUIRED',
            data: {
              itemId: POTION,
              itemName: HEALTH_POTION,
              quantity: 3,
              total: 3,
              source: 'starterKit',
            },
          },
          {
            type: 'ITEM_ACQUIRED',
            data: {
              itemId: weaponId,
              itemName: STARTER_WEAPONS[cls],
              quantity: 1,
              total: 1,
              source: 'starterKit',
            },
          },
          {
            type: 'ITEM_EQUIPPED',
            data: {
              itemId: weaponId,
              itemName: STARTER_WEAPONS[cls],
              slot: 'MAIN_HAND',
              replacedItemId: null,
            },
          },
        ]);
        expect(ok(await app.gql(PLAYER, { id: player.id }, alice.accessToken), 'player')).toEqual(
          player,
        );
      },
    );
  });

  describe('useItem', () => {
    it('consumes exactly one unit and heals, recording ITEM_USED with the amount applied', async () => {
      const p = await newPlayer(alice);
      await app.sql(`update players set health = 10 where id = ?`, [p.id]);
      const after = ok(await use(alice, p.id, POTION), 'useItem');
      expect(after.health).toBe(60);
      expect(after.inventory.find((e: any) => e.item.id === POTION).quantity).toBe(2);
      expect((await row(p.id)).health).toBe(60);
      expect((await stacks(p.id))[POTION]).toEqual([2, null]);
      expect(await events(p.id, 'ITEM_USED')).toEqual([
        {
          type: 'ITEM_USED',
          data: {
            itemId: POTION,
            itemName: HEALTH_POTION,
            remaining: 2,
            effects: [{ type: 'heal', amount: 50, applied: 50 }],
          },
        },
      ]);
    });

    it('clamps healing at maxHealth, and still spends the unit at full health', async () => {
      const p = await newPlayer(alice);
      await app.sql(`update players set health = max_health - 20 where id = ?`, [p.id]);
      expect(ok(await use(alice, p.id, POTION), 'useItem').health).toBe(p.maxHealth);
      expect(ok(await use(alice, p.id, POTION), 'useItem').health).toBe(p.maxHealth);
      expect((await row(p.id)).health).toBe(p.maxHealth);
      expect((await events(p.id, 'ITEM_USED')).map((e) => e.data.effects[0].applied)).toEqual([
        20, 0,
      ]);
      expect((await stacks(p.id))[POTION]).toEqual([1, null]);
    });

    it('restores mana clamped at maxMana', async () => {
      const p = await newPlayer(alice, 'MAGE');
      await put(p.id, MANA, 2);
      await app.sql(`update players set mana = max_mana - 10 where id = ?`, [p.id]);
      const after = ok(await use(alice, p.id, MANA), 'useItem');
      expect(after.mana).toBe(after.maxMana);
      expect((await events(p.id, 'ITEM_USED'))[0].data.effects).toEqual([
        { type: 'restoreMana', amount: 30, applied: 10 },
      ]);
    });

    it('removes the stack with its last unit', async () => {
      const p = await newPlayer(alice);
      await put(p.id, POTION, 1);
      const after = ok(await use(alice, p.id, POTION), 'useItem');
      expect(after.inventory.map((e: any) => e.item.id)).toEqual([LONGSWORD]);
      expect((await stacks(p.id))[POTION]).toBeUndefined();
    });

    describe('refusals change nothing', () => {
      let p: Record<string, any>;
      beforeAll(async () => {
        p = await newPlayer(alice);
        await put(p.id, ELIXIR, 1);
        await app.sql(`update players set health = 50 where id = ?`, [p.id]);
      });

      it.each([
        ['a weapon (not a consumable)', () => LONGSWORD, 'GAME_RULE_VIOLATION'],
        ['a buff elixir (only during game-master turns)', () => ELIXIR, 'GAME_RULE_VIOLATION'],
        ['an item not carried', () => MANA, 'GAME_RULE_VIOLATION'],
        ['an item that does not exist', () => randomUUID(), 'NOT_FOUND'],
      ])('refuses %s', async (_what, item, code) => {
        const before = await snapshot(p.id);
        expectRefused(await use(alice, p.id, item()), code);
        expect(await snapshot(p.id)).toEqual(before);
      });

      it("refuses another user's character as NOT_FOUND", async () => {
        const before = await snapshot(p.id);
        expectRefused(await use(bob, p.id, POTION), 'NOT_FOUND');
        expectRefused(await use(alice, randomUUID(), POTION), 'NOT_FOUND');
        expect(await snapshot(p.id)).toEqual(before);
      });

      it('refuses malformed ids as BAD_USER_INPUT naming the argument', async () => {
        const before = await snapshot(p.id);
        expectRefused(await use(alice, p.id, 'potion'), 'BAD_USER_INPUT', ['itemId']);
        expectRefused(await use(alice, 'me', POTION), 'BAD_USER_INPUT', ['playerId']);
        expect(await snapshot(p.id)).toEqual(before);
      });

      it('refuses an anonymous caller', async () => {
        const before = await snapshot(p.id);
        expectRefused(await use(undefined, p.id, POTION), 'UNAUTHENTICATED');
        expect(await snapshot(p.id)).toEqual(before);
      });

      it('refuses a character with no health left, even a potion', async () => {
        const dead = await newPlayer(alice);
        await app.sql(`update players set health = 0 where id = ?`, [dead.id]);
        const before = await snapshot(dead.id);
        expectRefused(await use(alice, dead.id, POTION), 'GAME_RULE_VIOLATION');
        expect(await snapshot(dead.id)).toEqual(before);
      });
    });
  });

  describe('equipItem / unequipItem', () => {
    it('equips in the item slot, replacing what was there; stats and maxima include the bonuses', async () => {
      const p = await newPlayer(alice);
      await put(p.id, GREATSWORD, 1);
      await app.sql(`update players set health = 100 where id = ?`, [p.id]);
      const base = CLASS_TEMPLATES.WARRIOR;

      const after = ok(await equip(alice, p.id, GREATSWORD), 'equipItem');
      const greatsword = seed(GREATSWORD).stats as Record<string, number>;
      expect(after.stats).toEqual(withBonuses({ ...base.stats }, greatsword));
      expect(after.maxHealth).toBe(base.maxHealth + 40);
      expect(after.health).toBe(100); // equipping never heals
      const bySlot = Object.fromEntries(
        after.inventory.map((e: any) => [e.item.id, [e.equipped, e.slot]]),
      );
      expect(bySlot).toEqual({
        [POTION]: [false, null],
        [LONGSWORD]: [false, null],
        [GREATSWORD]: [true, 'MAIN_HAND'],
      });
      expect(await stacks(p.id)).toEqual({
        [POTION]: [3, null],
        [LONGSWORD]: [1, null],
        [GREATSWORD]: [1, 'MAIN_HAND'],
      });
      expect((await row(p.id)).max_health).toBe(base.maxHealth + 40);
      expect((await events(p.id)).slice(-2)).toEqual([
        {
          type: 'ITEM_UNEQUIPPED',
          data: {
            itemId: LONGSWORD,
            itemName: 'Rusty Longsword',
            slot: 'MAIN_HAND',
            reason: 'replaced',
          },
        },
        {
          type: 'ITEM_EQUIPPED',
          data: {
            itemId: GREATSWORD,
            itemName: 'Dawnbreaker Greatsword',
            slot: 'MAIN_HAND',
            replacedItemId: LONGSWORD,
          },
        },
      ]);
    });

    it('adds the bonuses of every slot, and clamps each stat at 0', async () => {
      const p = await newPlayer(alice);
      // No dexterity at all, so the shield's -1 would take it below 0.
      await app.sql(`update players set stat_dexterity = 0 where id = ?`, [p.id]);
      for (const item of [DRAGONSCALE, SHIELD, RING]) await put(p.id, item, 1);
      for (const item of [DRAGONSCALE, SHIELD]) ok(await equip(alice, p.id, item), 'equipItem');
      const after = ok(await equip(alice, p.id, RING), 'equipItem');
      const { stats: base, maxHealth } = CLASS_TEMPLATES.WARRIOR;
      expect(after.stats).toEqual({
        strength: base.strength + 1 + 2, // longsword, dragonscale
        dexterity: 0,
        intelligence: base.intelligence,
        constitution: base.constitution + 8 + 4 + 2, // dragonscale, shield, ring
        wisdom: base.wisdom,
        charisma: base.charisma,
      });
      expect(after.maxHealth).toBe(maxHealth + 80 + 20 + 10);
      expect(after.carryCapacity).toBe(50 + 10 * (base.strength + 3));
      // The stored base is untouched: attribute bonuses are computed, not written.
      expect((await row(p.id)).stat_dexterity).toBe(0);
      expect((await row(p.id)).stat_strength).toBe(base.strength);
    });

    it('unequips: the item stays, bonuses go, and a lower maximum pulls health down', async () => {
      const p = await newPlayer(alice);
      await put(p.id, DRAGONSCALE, 1);
      ok(await equip(alice, p.id, DRAGONSCALE), 'equipItem');
      await app.sql(`update players set health = max_health where id = ?`, [p.id]);
      expect((await row(p.id)).health).toBe(p.maxHealth + 80);

      const after = ok(await unequip(alice, p.id, DRAGONSCALE), 'unequipItem');
      expect(after.stats).toEqual(p.stats);
      expect([after.health, after.maxHealth]).toEqual([p.maxHealth, p.maxHealth]);
      expect((await stacks(p.id))[DRAGONSCALE]).toEqual([1, null]);
      expect((await events(p.id)).at(-1)).toEqual({
        type: 'ITEM_UNEQUIPPED',
        data: {
          itemId: DRAGONSCALE,
          itemName: 'Dragonscale Mail',
          slot: 'CHEST',
          reason: 'unequip',
        },
      });
    });

    describe('refusals change nothing', () => {
      let p: Record<string, any>;
      beforeAll(async () => {
        p = await newPlayer(alice, 'MAGE');
        await put(p.id, RING, 1);
      });
      const staff = seedItemId(STARTER_WEAPONS.MAGE);

      it.each([
        ['equip an item without a slot', () => equip(alice, p.id, POTION), 'GAME_RULE_VIOLATION'],
        ['equip what is already equipped', () => equip(alice, p.id, staff), 'GAME_RULE_VIOLATION'],
        ['equip an item not carried', () => equip(alice, p.id, GREATSWORD), 'GAME_RULE_VIOLATION'],
        ['equip an unknown item', () => equip(alice, p.id, randomUUID()), 'NOT_FOUND'],
        ["equip on another user's character", () => equip(bob, p.id, RING), 'NOT_FOUND'],
        ['unequip what is not equipped', () => unequip(alice, p.id, RING), 'GAME_RULE_VIOLATION'],
        [
          'unequip an item not carried',
          () => unequip(alice, p.id, GREATSWORD),
          'GAME_RULE_VIOLATION',
        ],
        ["unequip on another user's character", () => unequip(bob, p.id, staff), 'NOT_FOUND'],
        ['equip anonymously', () => equip(undefined, p.id, RING), 'UNAUTHENTICATED'],
      ])('refuses to %s', async (_what, run, code) => {
        const before = await snapshot(p.id);
        expectRefused(await run(), code);
        expect(await snapshot(p.id)).toEqual(before);
      });

      it('refuses malformed ids as BAD_USER_INPUT', async () => {
        const before = await snapshot(p.id);
        expectRefused(await equip(alice, p.id, '42'), 'BAD_USER_INPUT', ['itemId']);
        expectRefused(await unequip(alice, 'x', staff), 'BAD_USER_INPUT', ['playerId']);
        expect(await snapshot(p.id)).toEqual(before);
      });

      it('refuses a character with no health left', async () => {
        await app.sql(`update players set health = 0 where id = ?`, [p.id]);
        const before = await snapshot(p.id);
        expectRefused(await equip(alice, p.id, RING), 'GAME_RULE_VIOLATION');
        expect(await snapshot(p.id)).toEqual(before);
      });
    });
  });

  describe('dropItem', () => {
    it('drops part of a stack, then the rest (the stack goes)', async () => {
      const p = await newPlayer(alice);
      const after = ok(await drop(alice, p.id, POTION, 2), 'dropItem');
      expect(after.inventory.find((e: any) => e.item.id === POTION).quantity).toBe(1);
      expect((await stacks(p.id))[POTION]).toEqual([1, null]);
      ok(await drop(alice, p.id, POTION, 1), 'dropItem');
      expect((await stacks(p.id))[POTION]).toBeUndefined();
      expect((await events(p.id, 'ITEM_DROPPED')).map((e) => e.data)).toEqual([
        { itemId: POTION, itemName: HEALTH_POTION, quantity: 2, remaining: 1 },
        { itemId: POTION, itemName: HEALTH_POTION, quantity: 1, remaining: 0 },
      ]);
    });

    it('takes an equipped stack off when all of it is dropped', async () => {
      const p = await newPlayer(alice);
      const after = ok(await drop(alice, p.id, LONGSWORD, 1), 'dropItem');
      expect(after.stats).toEqual(CLASS_TEMPLATES.WARRIOR.stats);
      expect(await stacks(p.id)).toEqual({ [POTION]: [3, null] });
      expect((await events(p.id)).slice(-2).map((e) => [e.type, e.data.reason])).toEqual([
        ['ITEM_UNEQUIPPED', 'dropped'],
        ['ITEM_DROPPED', undefined],
      ]);
    });

    it('keeps the equipped unit when part of an equipped stack is dropped', async () => {
      const p = await newPlayer(alice);
      await put(p.id, LONGSWORD, 2, 'MAIN_HAND');
      ok(await drop(alice, p.id, LONGSWORD, 1), 'dropItem');
      expect((await stacks(p.id))[LONGSWORD]).toEqual([1, 'MAIN_HAND']);
    });

    describe('refusals change nothing', () => {
      let p: Record<string, any>;
      beforeAll(async () => {
        p = await newPlayer(alice);
      });

      it.each([
        ['zero', 0],
        ['a negative number', -1],
        ['more than the stack bound', 10_000],
        ['a fraction', 1.5],
        ['a number past 32 bits', 2 ** 40],
        ['a string', 'two'],
      ])('refuses a quantity of %s as BAD_USER_INPUT on quantity', async (_what, quantity) => {
        const before = await snapshot(p.id);
        expectRefused(await drop(alice, p.id, POTION, quantity), 'BAD_USER_INPUT', ['quantity']);
        expect(await snapshot(p.id)).toEqual(before);
      });

      it.each([
        ['more than carried', () => drop(alice, p.id, POTION, 4), 'GAME_RULE_VIOLATION'],
        ['an item not carried', () => drop(alice, p.id, MANA, 1), 'GAME_RULE_VIOLATION'],
        ['an unknown item', () => drop(alice, p.id, randomUUID(), 1), 'NOT_FOUND'],
        ["from another user's character", () => drop(bob, p.id, POTION, 1), 'NOT_FOUND'],
        ['anonymously', () => drop(undefined, p.id, POTION, 1), 'UNAUTHENTICATED'],
      ])('refuses to drop %s', async (_what, run, code) => {
        const before = await snapshot(p.id);
        expectRefused(await run(), code);
        expect(await snapshot(p.id)).toEqual(before);
      });
    });
  });

  describe('giveItem', () => {
    it("gives to another user's character in the same place, returning the giver", async () => {
      const a = await newPlayer(alice);
      const b = await newPlayer(bob, 'MAGE');
      const giver = ok(await give(alice, a.id, b.id, POTION, 2), 'giveItem');
      expect(giver.id).toBe(a.id);
      expect(giver.inventory.find((e: any) => e.item.id === POTION).quantity).toBe(1);
      expect((await stacks(a.id))[POTION]).toEqual([1, null]);
      expect((await stacks(b.id))[POTION]).toEqual([5, null]);
      expect((await events(a.id)).at(-1)).toEqual({
        type: 'ITEM_GIVEN',
        data: {
          itemId: POTION,
          itemName: HEALTH_POTION,
          quantity: 2,
          remaining: 1,
          toPlayerId: b.id,
          toCharacterName: b.characterName,
          locationId: STARTING_LOCATION_ID,
        },
      });
      expect((await events(b.id)).at(-1)).toEqual({
        type: 'ITEM_ACQUIRED',
        data: {
          itemId: POTION,
          itemName: HEALTH_POTION,
          quantity: 2,
          total: 5,
          source: 'give',
          fromPlayerId: a.id,
          fromCharacterName: a.characterName,
        },
      });
    });

    it('creates the stack on the receiver, unworn, and takes off a wholly given equipped item', async () => {
      const a = await newPlayer(alice);
      const b = await newPlayer(alice, 'ROGUE');
      const giver = ok(await give(alice, a.id, b.id, LONGSWORD, 1), 'giveItem');
      expect(giver.stats).toEqual(CLASS_TEMPLATES.WARRIOR.stats);
      expect((await stacks(a.id))[LONGSWORD]).toBeUndefined();
      expect((await stacks(b.id))[LONGSWORD]).toEqual([1, null]);
      expect((await events(a.id)).slice(-2).map((e) => [e.type, e.data.reason])).toEqual([
        ['ITEM_UNEQUIPPED', 'given'],
        ['ITEM_GIVEN', undefined],
      ]);
    });

    describe('refusals change nothing', () => {
      let a: Record<string, any>;
      let b: Record<string, any>;
      beforeAll(async () => {
        a = await newPlayer(alice);
        b = await newPlayer(bob, 'MAGE');
        await put(a.id, ORE, 60);
        // The receiver (strength 6: 110 lb) carries 5.5 lb; 100 lb of ore fits, 10 more do not.
        ok(await give(alice, a.id, b.id, ORE, 50), 'giveItem');
      });

      const refusals: [string, () => Promise<GqlResult>, string, string[] | undefined][] = [
        [
          'more than the receiver can carry',
          () => give(alice, a.id, b.id, ORE, 5),
          'GAME_RULE_VIOLATION',
          undefined,
        ],
        [
          'more than the giver holds',
          () => give(alice, a.id, b.id, POTION, 4),
          'GAME_RULE_VIOLATION',
          undefined,
        ],
        [
          'an item the giver does not hold',
          () => give(alice, a.id, b.id, MANA, 1),
          'GAME_RULE_VIOLATION',
          undefined,
        ],
        ['an unknown item', () => give(alice, a.id, b.id, randomUUID(), 1), 'NOT_FOUND', undefined],
        ['to oneself', () => give(alice, a.id, a.id, POTION, 1), 'GAME_RULE_VIOLATION', undefined],
        [
          'to a character that does not exist',
          () => give(alice, a.id, randomUUID(), POTION, 1),
          'NOT_FOUND',
          undefined,
        ],
        [
          "from another user's character",
          () => give(alice, b.id, a.id, POTION, 1),
          'NOT_FOUND',
          undefined,
        ],
        [
          'a quantity of 0',
          () => give(alice, a.id, b.id, POTION, 0),
          'BAD_USER_INPUT',
          ['quantity'],
        ],
        [
          'a negative quantity',
          () => give(alice, a.id, b.id, POTION, -3),
          'BAD_USER_INPUT',
          ['quantity'],
        ],
        [
          'a fractional quantity',
          () => give(alice, a.id, b.id, POTION, 0.5),
          'BAD_USER_INPUT',
          ['quantity'],
        ],
        [
          'a huge quantity',
          () => give(alice, a.id, b.id, POTION, 1e12),
          'BAD_USER_INPUT',
          ['quantity'],
        ],
        [
          'a malformed receiver id',
          () => give(alice, a.id, 'bob', POTION, 1),
          'BAD_USER_INPUT',
          ['toPlayerId'],
        ],
        ['anonymously', () => give(undefined, a.id, b.id, POTION, 1), 'UNAUTHENTICATED', undefined],
      ];
      it.each(refusals)('refuses to give %s', async (_what, run, code, fields) => {
        const before = await snapshot(a.id, b.id);
        expectRefused(await run(), code, fields);
        expect(await snapshot(a.id, b.id)).toEqual(before);
      });

      it('refuses to give to a full stack (9999)', async () => {
        // Strong enough to carry it all, so the stack bound is what says no.
        await app.sql(`update players set stat_strength = 2000 where id = ?`, [b.id]);
        await put(b.id, ORE, 9999);
        try {
          const before = await snapshot(a.id, b.id);
          const res = await give(alice, a.id, b.id, ORE, 1);
          expectRefused(res, 'GAME_RULE_VIOLATION');
          expect(res.errors![0].message).toMatch(/more than 9999/);
          expect(await snapshot(a.id, b.id)).toEqual(before);
        } finally {
          await app.sql(`update players set stat_strength = 6 where id = ?`, [b.id]);
          await put(b.id, ORE, 50);
        }
      });

      it('refuses to give to a character in another place', async () => {
        await app.sql(`update players set location_id = 'gilded-tankard' where id = ?`, [b.id]);
        try {
          const before = await snapshot(a.id, b.id);
          expectRefused(await give(alice, a.id, b.id, POTION, 1), 'GAME_RULE_VIOLATION');
          expect(await snapshot(a.id, b.id)).toEqual(before);
        } finally {
          await app.sql(`update players set location_id = ? where id = ?`, [
            STARTING_LOCATION_ID,
            b.id,
          ]);
        }
      });

      it('refuses a giver with no health left', async () => {
        await app.sql(`update players set health = 0 where id = ?`, [a.id]);
        try {
          const before = await snapshot(a.id, b.id);
          expectRefused(await give(alice, a.id, b.id, POTION, 1), 'GAME_RULE_VIOLATION');
          expect(await snapshot(a.id, b.id)).toEqual(before);
        } finally {
          await app.sql(`update players set health = max_health where id = ?`, [a.id]);
        }
      });
    });
  });

  describe('InventoryService (for other modules)', () => {
    const inTransaction = <T>(work: Parameters<EventsService['transaction']>[0]) =>
      app.running.app.get(EventsService).transaction(work) as Promise<T>;
    const service = () => app.running.app.get(InventoryService);

    it('grantItem adds to the stack and records ITEM_ACQUIRED; quantityOf reads it back', async () => {
      const p = await newPlayer(alice);
      const total = await inTransaction<number>(async (tx, log) => {
        const player = await tx.findOneOrFail(Player, p.id, {
          lockMode: LockMode.PESSIMISTIC_WRITE,
        });
        await service().grantItem(tx, player, POTION, 4, log, 'quest');
        await service().grantItem(tx, player, ORE, 2, log, 'quest');
        return service().quantityOf(tx, p.id, POTION);
      });
      expect(total).toBe(7);
      expect(await stacks(p.id)).toMatchObject({ [POTION]: [7, null], [ORE]: [2, null] });
      expect((await events(p.id, 'ITEM_ACQUIRED')).at(-2)!.data).toEqual({
        itemId: POTION,
        itemName: HEALTH_POTION,
        quantity: 4,
        total: 7,
        source: 'quest',
      });
      const none = await inTransaction<number>((tx) => service().quantityOf(tx, p.id, MANA));
      expect(none).toBe(0);
    });

    it('quantityOf sees what the same transaction changed but has not written yet', async () => {
      const p = await newPlayer(alice);
      const seen = await inTransaction<number[]>(async (tx) => {
        await tx.findOneOrFail(Player, p.id, { lockMode: LockMode.PESSIMISTIC_WRITE });
        const entry = await tx.findOneOrFail(InventoryEntry, { player: p.id, item: POTION });
        entry.quantity -= 1;
        const afterUse = await service().quantityOf(tx, p.id, POTION);
        tx.remove(entry);
        return [afterUse, await service().quantityOf(tx, p.id, POTION)];
      });
      expect(seen).toEqual([2, 0]);
      expect((await stacks(p.id))[POTION]).toBeUndefined();
    });

    it('grantItem refuses past the carrying capacity, and the transaction leaves nothing behind', async () => {
      const p = await newPlayer(alice, 'MAGE'); // strength 6: 110 lb
      const before = await snapshot(p.id);
      await expect(
        inTransaction(async (tx, log) => {
          const player = await tx.findOneOrFail(Player, p.id, {
            lockMode: LockMode.PESSIMISTIC_WRITE,
          });
          await service().grantItem(tx, player, ORE, 50, log, 'quest'); // 100 lb: fits
          await service().grantItem(tx, player, ORE, 5, log, 'quest'); // 10 lb more: does not
        }),
      ).rejects.toMatchObject({ code: 'GAME_RULE_VIOLATION' });
      await expect(
        inTransaction(async (tx, log) => {
          const player = await tx.findOneOrFail(Player, p.id, {
            lockMode: LockMode.PESSIMISTIC_WRITE,
          });
          await service().grantItem(tx, player, ORE, 0, log, 'quest');
        }),
      ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', details: { fields: ['quantity'] } });
      expect(await snapshot(p.id)).toEqual(before);
    });
  });

  describe('database constraints', () => {
    it.each([
      ['a quantity of 0', `update inventory_entries set quantity = 0 where player_id = ?`],
      ['a quantity past 9999', `update inventory_entries set quantity = 10000 where player_id = ?`],
      [
        'a second stack of one item',
        `insert into inventory_entries (id, player_id, item_id, quantity, created_at)
         select gen_random_uuid(), player_id, item_id, 1, now() from inventory_entries where player_id = ?`,
      ],
      [
        'two items in one slot',
        `update inventory_entries set equipped_slot = 'MAIN_HAND' where player_id = ?`,
      ],
    ])('rejects %s', async (_what, statement) => {
      const p = await newPlayer(alice);
      const before = await stacks(p.id);
      await expect(app.sql(statement, [p.id])).rejects.toThrow(/violates/);
      expect(await stacks(p.id)).toEqual(before);
    });
  });

  describe('concurrency (real concurrent requests)', () => {
    const fire = (n: number, run: (i: number) => Promise<GqlResult>) =>
      Promise.all(Array.from({ length: n }, (_, i) => run(i)));
    const tally = (results: GqlResult[]) => ({
      ok: results.filter((r) => !r.errors).length,
      refused: results.filter((r) => r.errors?.[0]?.extensions.code === 'GAME_RULE_VIOLATION')
        .length,
    });

    it('20 useItem on 3 potions: exactly 3 succeed, 17 GAME_RULE_VIOLATION, health counted once each', async () => {
      const p = await newPlayer(alice);
      // A high maximum, so no heal is clamped and a double-counted one would show.
      await app.sql(`update players set max_health = 500, health = 1 where id = ?`, [p.id]);
      const results = await fire(20, () => use(alice, p.id, POTION));
      expect(tally(results)).toEqual({ ok: 3, refused: 17 });
      expect((await stacks(p.id))[POTION]).toBeUndefined();
      expect((await row(p.id)).health).toBe(1 + 3 * 50);
      expect(await events(p.id, 'ITEM_USED')).toHaveLength(3);
    });

    it('20 dropItem of 1 on a stack of 5: exactly 5 succeed', async () => {
      const p = await newPlayer(alice);
      await put(p.id, ORE, 5);
      const results = await fire(20, () => drop(alice, p.id, ORE, 1));
      expect(tally(results)).toEqual({ ok: 5, refused: 15 });
      expect((await stacks(p.id))[ORE]).toBeUndefined();
      expect(
        (await events(p.id, 'ITEM_DROPPED')).map((e) => e.data.remaining).sort((x, y) => y - x),
      ).toEqual([4, 3, 2, 1, 0]);
    });

    it('20 gives each way at once: all succeed, no deadlock, totals conserved', async () => {
      const a = await newPlayer(alice);
      const b = await newPlayer(bob);
      await put(a.id, POTION, 20);
      await put(b.id, POTION, 20);
      const results = await fire(40, (i) =>
        i % 2 ? give(alice, a.id, b.id, POTION, 1) : give(bob, b.id, a.id, POTION, 1),
      );
      expect(results.filter((r) => r.errors).map((r) => r.errors)).toEqual([]);
      expect((await stacks(a.id))[POTION]).toEqual([20, null]);
      expect((await stacks(b.id))[POTION]).toEqual([20, null]);
      expect(await events(a.id, 'ITEM_GIVEN')).toHaveLength(20);
      expect(await events(b.id, 'ITEM_GIVEN')).toHaveLength(20);
    });

    it('20 gives each way from small stacks: never negative, nothing made or lost', async () => {
      const a = await newPlayer(alice);
      const b = await newPlayer(bob);
      await put(a.id, ORE, 3);
      await put(b.id, ORE, 2);
      const results = await fire(40, (i) =>
        i % 2 ? give(alice, a.id, b.id, ORE, 1) : give(bob, b.id, a.id, ORE, 1),
      );
      const { ok: succeeded, refused } = tally(results);
      expect(succeeded + refused).toBe(40);
      const held = async (id: string) => (await stacks(id))[ORE]?.[0] ?? 0;
      const [heldA, heldB] = [await held(a.id), await held(b.id)];
      expect(heldA + heldB).toBe(5);
      const givenA = (await events(a.id, 'ITEM_GIVEN')).length;
      const givenB = (await events(b.id, 'ITEM_GIVEN')).length;
      expect(givenA + givenB).toBe(succeeded);
      expect(heldA).toBe(3 - givenA + givenB);
    });
  });

  describe('subscriptions', () => {
    async function nextAbout(sub: Subscription<any>, playerId: string, field: string) {
      for (;;) {
        const message = await sub.next();
        if (message.errors || message.data?.[field]?.playerId === playerId)
          return message.data![field];
      }
    }

    it('sends equip, unequip, use and drop to the character’s gameEvents', async () => {
      const p = await newPlayer(alice);
      const { client } = wsClient(app.url, alice.accessToken);
      try {
        const sub = subscribe(client, GAME_EVENTS, { playerId: p.id });
        await waitFor(() => app.bus.localSubscribers(gameEventsTopic(p.id)) > 0);
        ok(await unequip(alice, p.id, LONGSWORD), 'unequipItem');
        ok(await equip(alice, p.id, LONGSWORD), 'equipItem');
        ok(await use(alice, p.id, POTION), 'useItem');
        ok(await drop(alice, p.id, POTION, 1), 'dropItem');
        const seen = [];
        for (let i = 0; i < 4; i++) seen.push(await nextAbout(sub, p.id, 'gameEvents'));
        expect(seen.map((e) => [e.type, e.data.itemId])).toEqual([
          ['ITEM_UNEQUIPPED', LONGSWORD],
          ['ITEM_EQUIPPED', LONGSWORD],
          ['ITEM_USED', POTION],
          ['ITEM_DROPPED', POTION],
        ]);
      } finally {
        await client.dispose();
      }
    });

    it('shows a give on locationEvents of the place (both sides), and a refused one not at all', async () => {
      const a = await newPlayer(alice);
      const b = await newPlayer(bob);
      const { client } = wsClient(app.url, bob.accessToken);
      try {
        const here = subscribe(client, LOCATION_EVENTS, { locationId: STARTING_LOCATION_ID });
        const mine = subscribe(client, GAME_EVENTS, { playerId: b.id });
        await waitFor(
          () => app.bus.localSubscribers(locationEventsTopic(STARTING_LOCATION_ID)) > 0,
        );
        await waitFor(() => app.bus.localSubscribers(gameEventsTopic(b.id)) > 0);
        expectRefused(await give(alice, a.id, b.id, POTION, 9), 'GAME_RULE_VIOLATION');
        ok(await give(alice, a.id, b.id, POTION, 1), 'giveItem');

        const given = await nextAbout(here, a.id, 'locationEvents');
        expect(given).toMatchObject({
          type: 'ITEM_GIVEN',
          data: { toPlayerId: b.id, quantity: 1 },
        });
        const acquired = await nextAbout(here, b.id, 'locationEvents');
        expect(acquired).toMatchObject({
          type: 'ITEM_ACQUIRED',
          data: { fromPlayerId: a.id, quantity: 1, total: 4, source: 'give' },
        });
        expect(await nextAbout(mine, b.id, 'gameEvents')).toEqual(acquired);
      } finally {
        await client.dispose();
      }
    });
  });

  describe('SQL statements per request (no N+1)', () => {
    const MINE = `{ me { players { inventory { item { name } } stats { strength } } } }`;

    it("reads 20 characters' inventories, items and stats in as many statements as 1 character's", async () => {
      const solo = await registerUser(app);
      const many = await registerUser(app);
      await newPlayer(solo);
      for (let i = 0; i < 20; i++) {
        const p = await newPlayer(many, CLASSES[i % CLASSES.length]);
        await put(p.id, [ORE, MANA, RING, DRAGONSCALE][i % 4], 1 + i);
      }
      await app.gql(MINE, {}, solo.accessToken); // warm the session cache
      await app.gql(MINE, {}, many.accessToken);

      const forOne = await countStatements(app, () => app.gql(MINE, {}, solo.accessToken));
      const forTwenty = await countStatements(app, () => app.gql(MINE, {}, many.accessToken));

      const res = await app.gql(MINE, {}, many.accessToken);
      const players = res.data!.me.players;
      expect(players).toHaveLength(20);
      expect(players.every((p: any) => p.inventory.length === 3)).toBe(true);
      expect(
        new Set(players.flatMap((p: any) => p.inventory.map((e: any) => e.item.name))).size,
      ).toBe(4 + 5 + 1);
      // me, its players, their inventories with the items (one join).
      expect(forOne).toBe(3);
      expect(forTwenty).toBe(forOne);
    });
  });
});
