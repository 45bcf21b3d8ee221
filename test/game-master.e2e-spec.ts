import { EventType } from '../src/modules/events/event-type.enum';
import { HEALTH_POTION, seedItemId } from '../src/modules/items/items.seed';
import { STARTING_LOCATION_ID } from '../src/modules/world/world.seed';
import { createPlayer, errorCode, registerUser, TestUser } from './support/factories';
import { ACT, TURNS } from './support/game-master';
import { bootTestApp, TestApp } from './support/test-app';

/** The offline game master (no model configured): the embedded default a newcomer plays with. */

const SQUARE = STARTING_LOCATION_ID;
const INN = 'gilded-tankard';
const GLADE = 'whispering-glade';
const WOODS = 'woodsedge';
const HERB = seedItemId('Healing Herb');
const POTION = seedItemId(HEALTH_POTION);

describe('game master (offline)', () => {
  let app: TestApp;
  let alice: TestUser;
  let bob: TestUser;

  // Booting an app and hashing passwords is slow on a loaded machine.
  beforeAll(async () => {
    app = await bootTestApp({ MAX_PLAYERS_PER_USER: '30' });
    alice = await registerUser(app);
    bob = await registerUser(app);
  }, 120_000);
  afterAll(() => app.close());

  const act = async (playerId: string, input: string, token = alice.accessToken) => {
    const res = await app.gql(ACT, { playerId, input }, token);
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data!.act;
  };
  const location = async (playerId: string) =>
    (
      await app.sql<{ location_id: string }>('select location_id from players where id = ?', [
        playerId,
      ])
    )[0].location_id;
  const events = (playerId: string) =>
    app.sql<{ type: string; data: any }>(
      'select type, data from game_events where player_id = ? order by id',
      [playerId],
    );

  it('looks around: the real place, its exits and people, and changes nothing', async () => {
    const hero = await createPlayer(app, alice);
    const before = await events(hero.id);
    const turn = await act(hero.id, '  Look around ');
    expect(turn.source).toBe('OFFLINE');
    expect(turn.model).toBe('offline');
    expect(turn.input).toBe('Look around');
    expect(turn.narrative).toContain('Millbrook Square');
    expect(turn.narrative).toContain('The Gilded Tankard');
    expect(turn.narrative).toContain('Elder Rowan Ashby');
    expect(turn.effects).toEqual([]);
    expect(turn.rejected).toEqual([]);
    expect(turn.suggestions).toEqual(expect.arrayContaining(['look around', 'check inventory']));
    expect(turn.suggestions.some((s: string) => s.startsWith('go to '))).toBe(true);
    expect(turn.sequence).toBe(1);
    expect(await events(hero.id)).toEqual(before);
  });

  it('help and inventory narrate the real state', async () => {
    const hero = await createPlayer(app, alice, { characterClass: 'MAGE' });
    const help = await act(hero.id, 'help');
    expect(help.narrative).toMatch(/go to <place>/);
    const inv = await act(hero.id, 'check my inventory');
    expect(inv.narrative).toContain('3 × Health Potion');
    expect(inv.narrative).toContain('Apprentice Staff');
    expect(inv.narrative).toContain(`${hero.gold} gold`);
    expect(inv.effects).toEqual([]);
  });

  it('"go to the inn" moves the character through the travel rules, with the event and the effect recorded', async () => {
    const hero = await createPlayer(app, alice);
    const turn = await act(hero.id, 'Go to the Gilded Tankard!');
    expect(turn.effects).toEqual([
      {
        toolCallId: 'offline-1',
        tool: 'travel',
        arguments: { locationId: INN },
        result: { from: SQUARE, to: INN },
      },
    ]);
    expect(turn.player.location.id).toBe(INN);
    expect(await location(hero.id)).toBe(INN);
    const travelled = (await events(hero.id)).filter((e) => e.type === EventType.TRAVELLED);
    expect(travelled).toEqual([{ type: 'TRAVELLED', data: { from: SQUARE, to: INN } }]);
    // Suggestions follow the character to where it now stands.
    expect(turn.suggestions).toContain('go to Millbrook Square');
    const applied = await app.sql(
      'select tool_call_id, tool from applied_tool_calls where turn_id = ?',
      [turn.id],
    );
    expect(applied).toEqual([{ tool_call_id: 'offline-1', tool: 'travel' }]);
  });

  it('an unknown place is a story, not a move', async () => {
    const hero = await createPlayer(app, alice);
    const before = await events(hero.id);
    const turn = await act(hero.id, 'go to the moon');
    expect(turn.narrative).toMatch(/no road/);
    expect(turn.effects).toEqual([]);
    expect(await location(hero.id)).toBe(SQUARE);
    expect(await events(hero.id)).toEqual(before);
  });

  it('a bare place name travels; gathering in the glade gives a capped catalogue material', async () => {
    const hero = await createPlayer(app, alice);
    await act(hero.id, 'woodsedge');
    expect(await location(hero.id)).toBe(WOODS);
    await act(hero.id, 'walk to the whispering glade');
    expect(await location(hero.id)).toBe(GLADE);
    const turn = await act(hero.id, 'gather healing herbs');
    expect(turn.effects).toHaveLength(1);
    expect(turn.effects[0]).toMatchObject({
      tool: 'give_item',
      result: { itemId: HERB, quantity: 1 },
    });
    const [held] = await app.sql<{ quantity: number }>(
      'select quantity from inventory_entries where player_id = ? and item_id = ?',
      [hero.id, HERB],
    );
    expect(held.quantity).toBe(1);
    const nothing = await act(hero.id, 'take the birch tree');
    expect(nothing.effects).toEqual([]);
  });

  it('uses a potion through the inventory rules', async () => {
    const hero = await createPlayer(app, alice);
    await app.sql('update players set health = 10 where id = ?', [hero.id]);
    const turn = await act(hero.id, 'drink a health potion');
    expect(turn.effects[0]).toMatchObject({ tool: 'use_item', arguments: { itemId: POTION } });
    const [row] = await app.sql<{ health: number }>('select health from players where id = ?', [
      hero.id,
    ]);
    expect(row.health).toBe(60);
    const [stack] = await app.sql<{ quantity: number }>(
      'select quantity from inventory_entries where player_id = ? and item_id = ?',
      [hero.id, POTION],
    );
    expect(stack.quantity).toBe(2);
  });

  it('a newcomer gets a quest, plays it through talking and travelling, and finishes it', async () => {
    const hero = await createPlayer(app, alice);
    const offer = await act(hero.id, 'ask for a quest');
    expect(offer.effects).toHaveLength(1);
    expect(offer.effects[0].tool).toBe('offer_quest');
    const questId = offer.effects[0].result.questId;
    const accepted = await app.gql(
      `mutation($id: ID!) { acceptQuest(questId: $id) { status objectives { kind npcId locationId itemId enemyKind required } } }`,
      { id: questId },
      alice.accessToken,
    );
    expect(accepted.errors).toBeUndefined();
    const quest = accepted.data!.acceptQuest;
    expect(quest.status).toBe('ACTIVE');
    // The built-in generator's first quest for a character at the square is deterministic; play what it asks.
    for (const objective of quest.objectives) {
      if (objective.kind === 'VISIT') {
        const path = await pathTo(app, await location(hero.id), objective.locationId);
        for (const step of path) await act(hero.id, `go to ${step}`);
      } else if (objective.kind === 'TALK') {
        const [npc] = await app.sql<{ name: string; location_id: string }>(
          'select name, location_id from npcs where id = ?',
          [objective.npcId],
        );
        for (const step of await pathTo(app, await location(hero.id), npc.location_id))
          await act(hero.id, `go to ${step}`);
        const talk = await act(hero.id, `talk to ${npc.name}`);
        expect(talk.effects[0].tool).toBe('talk_to_npc');
      } else if (objective.kind === 'COLLECT') {
        await app.sql(
          `insert into inventory_entries (id, player_id, item_id, quantity, created_at)
           values (gen_random_uuid(), ?, ?, ?, now())
           on conflict (player_id, item_id) do update set quantity = excluded.quantity`,
          [hero.id, objective.itemId, objective.required],
        );
      } else {
        await app.sql(
          `update quests set objectives = (select jsonb_agg(case when o->>'kind' = 'DEFEAT' then jsonb_set(o, '{current}', o->'required') else o end) from jsonb_array_elements(objectives) o) where id = ?`,
          [questId],
        );
      }
    }
    const done = await app.gql(
      `mutation($id: ID!) { completeQuest(questId: $id) { status } }`,
      { id: questId },
      alice.accessToken,
    );
    expect(done.errors).toBeUndefined();
    expect(done.data!.completeQuest.status).toBe('COMPLETED');
  });

  it('lists turns oldest first with cursors', async () => {
    const hero = await createPlayer(app, alice);
    for (const input of ['look', 'help', 'inventory']) await act(hero.id, input);
    const first = await app.gql(TURNS, { playerId: hero.id, first: 2 }, alice.accessToken);
    expect(first.data!.turns.edges.map((e: any) => e.node.input)).toEqual(['look', 'help']);
    expect(first.data!.turns.pageInfo.hasNextPage).toBe(true);
    const next = await app.gql(
      TURNS,
      { playerId: hero.id, first: 2, after: first.data!.turns.pageInfo.endCursor },
      alice.accessToken,
    );
    expect(next.data!.turns.edges.map((e: any) => e.node.input)).toEqual(['inventory']);
    expect(next.data!.turns.pageInfo.hasNextPage).toBe(false);
    expect(errorCode(await app.gql(TURNS, { playerId: hero.id }, bob.accessToken))).toBe(
      'NOT_FOUND',
    );
    expect(
      errorCode(await app.gql(TURNS, { playerId: hero.id, after: 'nope' }, alice.accessToken)),
    ).toBe('BAD_USER_INPUT');
  });

  it('refuses bad input with a clear code and writes nothing', async () => {
    const hero = await createPlayer(app, alice);
    const count = async () =>
      Number(
        (
          await app.sql<{ n: string }>('select count(*) as n from game_turns where player_id = ?', [
            hero.id,
          ])
        )[0].n,
      );
    const cases: [Record<string, unknown>, string, string?][] = [
      [{ playerId: hero.id, input: '' }, 'BAD_USER_INPUT'],
      [{ playerId: hero.id, input: '   \n ' }, 'BAD_USER_INPUT'],
      [{ playerId: hero.id, input: 'x'.repeat(1001) }, 'BAD_USER_INPUT'],
      [{ playerId: hero.id, input: 'é'.repeat(20_000) }, 'BAD_USER_INPUT'],
      [{ playerId: hero.id, input: 'look\u0000' }, 'BAD_USER_INPUT'],
      [{ playerId: '00000000-0000-4000-8000-000000000000', input: 'look' }, 'NOT_FOUND'],
      [{ playerId: 'not-a-uuid', input: 'look' }, 'BAD_USER_INPUT'],
    ];
    for (const [vars, code] of cases) {
      const res = await app.gql(ACT, vars, alice.accessToken);
      expect(errorCode(res)).toBe(code);
      expect(res.data ?? null).toBeNull();
    }
    expect(
      errorCode(await app.gql(ACT, { playerId: hero.id, input: 'look' }, bob.accessToken)),
    ).toBe('NOT_FOUND');
    expect(errorCode(await app.gql(ACT, { playerId: hero.id, input: 'look' }))).toBe(
      'UNAUTHENTICATED',
    );
    expect(await count()).toBe(0);
    // Exactly at the limit is fine.
    await act(hero.id, 'é'.repeat(1000));
    expect(await count()).toBe(1);
  });

  it('a character at 0 health may still act, but only for a story', async () => {
    const hero = await createPlayer(app, alice);
    await app.sql('update players set health = 0 where id = ?', [hero.id]);
    const turn = await act(hero.id, 'go to the inn');
    expect(turn.effects).toEqual([]);
    expect(await location(hero.id)).toBe(SQUARE);
  });
});

/** Location names along the shortest path from `from` to `to` (breadth-first over the exits). */
async function pathTo(app: TestApp, from: string, to: string): Promise<string[]> {
  const exits = await app.sql<{ from_location_id: string; to_location_id: string }>(
    'select from_location_id, to_location_id from location_exits',
  );
  const names = new Map(
    (await app.sql<{ id: string; name: string }>('select id, name from locations')).map((l) => [
      l.id,
      l.name,
    ]),
  );
  const previous = new Map<string, string>([[from, '']]);
  const queue = [from];
  while (queue.length) {
    const here = queue.shift()!;
    for (const e of exits.filter((x) => x.from_location_id === here)) {
      if (!previous.has(e.to_location_id)) {
        previous.set(e.to_location_id, here);
        queue.push(e.to_location_id);
      }
    }
  }
  const path: string[] = [];
  for (let at = to; at !== from; at = previous.get(at)!) path.unshift(names.get(at)!);
  return path;
}
