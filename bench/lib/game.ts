// Setting up game state for a bench through the public API (and SQL where the API has no
// shortcut, e.g. a big stack of potions), like a test would.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Child } from './harness';

export interface GqlAnswer<T = Record<string, any>> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export async function gql<T = Record<string, any>>(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<T> {
  const res = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as GqlAnswer<T>;
  if (body.errors?.length || !body.data)
    throw new Error(`GraphQL failed: ${JSON.stringify(body.errors ?? body)}`);
  return body.data;
}

export interface Account {
  userId: string;
  token: string;
}

const letters = (n: number) =>
  Array.from(randomBytes(n), (b) => String.fromCharCode(97 + (b % 26))).join('');

export async function register(baseUrl: string): Promise<Account> {
  const username = `bench${randomBytes(5).toString('hex')}`;
  const data = await gql<{ register: { accessToken: string; user: { id: string } } }>(
    baseUrl,
    'mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }',
    {
      input: { username, email: `${username}@example.com`, password: 'correct-horse-battery-42' },
    },
  );
  return { userId: data.register.user.id, token: data.register.accessToken };
}

export async function createPlayer(baseUrl: string, account: Account): Promise<string> {
  const data = await gql<{ createPlayer: { id: string } }>(
    baseUrl,
    'mutation($input: CreatePlayerInput!) { createPlayer(input: $input) { id } }',
    { input: { characterName: `Bench ${letters(10)}`, characterClass: 'WARRIOR' } },
    account.token,
  );
  return data.createPlayer.id;
}

/** A lived-in character: a dozen stacks in the inventory and three active quests. */
export async function furnish(server: Child, account: Account, playerId: string): Promise<void> {
  // Catalogue items it does not carry yet, light ones so carrying capacity never refuses.
  const items = await server.call<{ id: string }[]>(
    'sql',
    `select id from items
      where id not in (select item_id from inventory_entries where player_id = ?)
      order by weight, name limit 10`,
    [playerId],
  );
  for (const [i, item] of items.entries()) {
    await server.call(
      'sql',
      `insert into inventory_entries (id, player_id, item_id, quantity, equipped_slot, created_at)
       values (?, ?, ?, ?, null, now())`,
      [randomUUID(), playerId, item.id, 1 + i],
    );
  }
  for (let i = 0; i < 3; i++) {
    const offered = await gql<{ generateQuest: { id: string } }>(
      server.info.url as string,
      'mutation($p: ID!) { generateQuest(playerId: $p) { id } }',
      { p: playerId },
      account.token,
    );
    await gql(
      server.info.url as string,
      'mutation($q: ID!) { acceptQuest(questId: $q) { id } }',
      { q: offered.generateQuest.id },
      account.token,
    );
  }
}

/** Sets a stack of `itemName` to `quantity` units (the API grants items only through play). */
export async function setStack(
  server: Child,
  playerId: string,
  itemName: string,
  quantity: number,
): Promise<string> {
  const [item] = await server.call<{ id: string }[]>('sql', 'select id from items where name = ?', [
    itemName,
  ]);
  if (!item) throw new Error(`no item named ${itemName}`);
  await server.call(
    'sql',
    `insert into inventory_entries (id, player_id, item_id, quantity, equipped_slot, created_at)
     values (?, ?, ?, ?, null, now())
     on conflict (player_id, item_id) do update set quantity = excluded.quantity`,
    [randomUUID(), playerId, item.id, quantity],
  );
  return item.id;
}
