import { HEALTH_POTION, MANA_POTION, seedItemId } from '../src/modules/items/items.seed';
import { BuiltInQuestGenerator } from '../src/modules/quests/built-in-quest.generator';
import { createPlayer, registerUser, TestUser } from './support/factories';
import { FakeOpenAI, FakeReply, startFakeOpenAI } from './support/fake-openai';
import { bootTestApp, TestApp } from './support/test-app';

const GENERATE = `mutation($playerId: ID!, $hint: String) { generateQuest(playerId: $playerId, hint: $hint) {
  id title description type status
  objectives { kind locationId itemId npcId enemyKind required location { id name } item { id name } npc { id name } }
  rewards { experience gold items { itemId quantity item { id name rarity } } } } }`;

const POTION = seedItemId(HEALTH_POTION);
const MANA = seedItemId(MANA_POTION);
const PELT = seedItemId('Wolf Pelt');
const LEGENDARY = seedItemId('Dawnbreaker Greatsword');

const valid = (over: Record<string, unknown> = {}) => ({
  title: 'Pelts for the Lodge',
  description: 'Fenwick Thorne needs wolf pelts before the first frost, and news from the woods.',
  objectives: [
    { kind: 'COLLECT', itemId: PELT, quantity: 3 },
    { kind: 'TALK', npcId: 'fenwick-thorne' },
    { kind: 'VISIT', locationId: 'woodsedge' },
  ],
  rewards: { experience: 120, gold: 30, items: [{ itemId: POTION, quantity: 2 }] },
  ...over,
});
// Token counts fixed small: a megabyte answer must not spend the account's daily budget for the next tests.
const USAGE = { prompt_tokens: 100, completion_tokens: 100 };
const answer = (proposal: unknown): FakeReply => ({
  content: JSON.stringify(proposal),
  usage: USAGE,
});

describe('generateQuest with a model', () => {
  let fake: FakeOpenAI;
  let app: TestApp;
  let alice: TestUser;
  let builtIn: jest.SpyInstance;

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    app = await bootTestApp({
      MAX_PLAYERS_PER_USER: '40',
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: 'test-key',
      OPENAI_MODEL: 'story-model',
      OPENAI_QUEST_MODEL: 'quest-writer',
      LLM_TIMEOUT_MS: '500',
      LLM_MAX_RETRIES: '1',
      LLM_RETRY_BASE_MS: '10',
      LLM_RETRY_MAX_MS: '20',
      LLM_CIRCUIT_FAILURES: '1000',
    });
    alice = await registerUser(app);
  });
  beforeEach(() => {
    fake.reset();
    builtIn = jest.spyOn(app.running.app.get(BuiltInQuestGenerator), 'propose');
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    await app.close();
    await fake.close();
  });

  const generate = (playerId: string, hint?: string) =>
    app.gql(GENERATE, { playerId, hint }, alice.accessToken);
  const questRows = (playerId: string) =>
    app.sql<{ title: string; objectives: unknown; rewards: unknown }>(
      `select title, description, objectives, rewards from quests where player_id = ?`,
      [playerId],
    );

  it('turns a valid JSON proposal into an OFFERED quest of real places, people and items, asked of the quest model', async () => {
    const hero = await createPlayer(app, alice);
    fake.enqueue(answer(valid()));
    const res = await generate(hero.id, 'wolf pelts for the hunter');
    expect(res.errors).toBeUndefined();
    const quest = res.data!.generateQuest;
    expect(quest).toMatchObject({
      title: 'Pelts for the Lodge',
      status: 'OFFERED',
      type: 'MIXED',
      objectives: [
        { kind: 'COLLECT', itemId: PELT, required: 3, item: { id: PELT, name: 'Wolf Pelt' } },
        { kind: 'TALK', npcId: 'fenwick-thorne', npc: { name: 'Fenwick Thorne' } },
        { kind: 'VISIT', locationId: 'woodsedge', location: { name: 'Woodsedge' } },
      ],
      rewards: {
        experience: 120,
        gold: 30,
        items: [{ itemId: POTION, quantity: 2, item: { name: HEALTH_POTION } }],
      },
    });
    expect(builtIn).not.toHaveBeenCalled();

    expect(fake.requests).toHaveLength(1);
    const body = fake.requests[0];
    expect(body.model).toBe('quest-writer');
    expect(body.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'quest_proposal', strict: true },
    });
    // The schema only offers what this character may be given: a legendary sword is not among them.
    const schema = JSON.stringify(body.response_format.json_schema.schema);
    expect(schema).toContain(PELT);
    expect(schema).not.toContain(LEGENDARY);
    const prompt = body.messages.map((m: { content: string }) => m.content).join('\n');
    expect(prompt).toContain('wolf pelts for the hunter');
    expect(prompt).toContain('"standsAt":"millbrook-square"');
  });

  it('accepts a repaired proposal after one refusal, telling the model what was wrong', async () => {
    const hero = await createPlayer(app, alice);
    fake.enqueue(
      answer(valid({ rewards: { experience: 9999, gold: 0, items: [] } })),
      answer(valid()),
    );
    const quest = (await generate(hero.id)).data!.generateQuest;
    expect(quest.title).toBe('Pelts for the Lodge');
    expect(fake.requests).toHaveLength(2);
    const repair = fake.requests[1].messages.at(-1).content;
    expect(repair).toContain('rewards.experience must be an integer from 0 to 150 at level 1');
    expect(builtIn).not.toHaveBeenCalled();
  });

  const megabyte = 'T'.repeat(1024 * 1024);
  const fifty = Array.from({ length: 50 }, () => ({ kind: 'VISIT', locationId: 'woodsedge' }));
  const hostile: [string, FakeReply][] = [
    [
      'an unknown item id',
      answer(
        valid({
          rewards: {
            experience: 10,
            gold: 0,
            items: [{ itemId: '00000000-0000-4000-8000-000000000000', quantity: 1 }],
          },
        }),
      ),
    ],
    [
      'reward experience over the cap',
      answer(valid({ rewards: { experience: 1_000_000, gold: 10, items: [] } })),
    ],
    [
      'reward gold over the cap',
      answer(valid({ rewards: { experience: 10, gold: 1_000_000, items: [] } })),
    ],
    [
      'a legendary reward at level 1',
      answer(
        valid({
          rewards: { experience: 10, gold: 0, items: [{ itemId: LEGENDARY, quantity: 1 }] },
        }),
      ),
    ],
    ['50 objectives', answer(valid({ objectives: fifty }))],
    ['a 1 MB title', answer(valid({ title: megabyte }))],
    ['malformed JSON', { content: '{"title": "Pelts", "objectives": [', usage: USAGE }],
    [
      'prose instead of JSON',
      { content: 'Sure! Here is a quest: go and find 1000 legendary swords.', usage: USAGE },
    ],
    [
      'an unknown place and NPC',
      answer(
        valid({
          objectives: [
            { kind: 'VISIT', locationId: 'the-moon' },
            { kind: 'TALK', npcId: 'god-emperor' },
          ],
        }),
      ),
    ],
    [
      'a negative quantity and extra fields',
      answer(
        valid({
          objectives: [{ kind: 'COLLECT', itemId: MANA, quantity: -5, status: 'COMPLETED' }],
          playerId: '00000000-0000-4000-8000-000000000000',
        }),
      ),
    ],
    ['a malformed HTTP body', { malformed: true }],
  ];
  it.each(hostile)(
    'never saves a proposal with %s: the built-in generator answers instead',
    async (_, reply) => {
      const hero = await createPlayer(app, alice);
      // The repair attempt gets the same nonsense.
      fake.enqueue(reply, reply);
      const res = await generate(hero.id);
      expect(res.errors).toBeUndefined();
      const quest = res.data!.generateQuest;
      // The model was asked, and asked to repair (a malformed HTTP body is not worth a second try).
      expect(fake.requests).toHaveLength(reply.malformed ? 1 : 2);
      expect(builtIn).toHaveBeenCalledTimes(1);
      expect(await builtIn.mock.results[0].value).toMatchObject({ title: quest.title });
      expect(quest.status).toBe('OFFERED');

      const rows = await questRows(hero.id);
      expect(rows).toHaveLength(1);
      expect(rows[0].title).toBe(quest.title);
      const stored = JSON.stringify(rows);
      expect(stored).not.toContain('Pelts for the Lodge');
      expect(stored).not.toContain(LEGENDARY);
      expect(stored.length).toBeLessThan(5_000);
      const [{ experience, gold }] = await app.sql(
        `select experience, gold from players where id = ?`,
        [hero.id],
      );
      expect({ experience, gold }).toEqual({ experience: 0, gold: 25 });
    },
  );

  it.each([
    ['HTTP 500 on every attempt', [{ status: 500 }, { status: 500 }]],
    ['a hang past the timeout', [{ hang: true }, { hang: true }]],
  ] as [string, FakeReply[]][])(
    'falls back to the built-in generator on %s',
    async (_, replies) => {
      const hero = await createPlayer(app, alice);
      fake.enqueue(...replies);
      const res = await generate(hero.id);
      expect(res.errors).toBeUndefined();
      expect(fake.requests).toHaveLength(2);
      expect(builtIn).toHaveBeenCalledTimes(1);
      expect(await questRows(hero.id)).toHaveLength(1);
    },
  );
});
