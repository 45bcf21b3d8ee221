import { createPlayer, registerUser } from './support/factories';
import { FakeOpenAI, startFakeOpenAI } from './support/fake-openai';
import { ACT } from './support/game-master';
import { bootTestApp, TestApp } from './support/test-app';

/** A server without tool calling (LLM_TOOL_MODE=json): the same turn, from a strict JSON answer. */
describe('game master (JSON tool mode)', () => {
  let app: TestApp;
  let fake: FakeOpenAI;

  // Booting an app and hashing passwords is slow on a loaded machine.
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    app = await bootTestApp({
      OPENAI_BASE_URL: fake.url,
      LLM_TOOL_MODE: 'json',
      LLM_MAX_RETRIES: '0',
      LLM_TIMEOUT_MS: '15000',
    });
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await fake.close();
  });

  it('applies the tool calls of the JSON answer through the same rules', async () => {
    const user = await registerUser(app);
    const hero = await createPlayer(app, user);
    fake.enqueue({
      content: JSON.stringify({
        narrative: 'You walk to the inn, and a drover stands you a coin for the news.',
        toolCalls: [
          { name: 'travel', arguments: { locationId: 'gilded-tankard' } },
          { name: 'change_gold', arguments: { amount: 1000 } },
        ],
      }),
    });
    const res = await app.gql(ACT, { playerId: hero.id, input: 'go to the inn' }, user.accessToken);
    expect(res.errors).toBeUndefined();
    const turn = res.data!.act;
    expect(fake.requests[0].response_format.type).toBe('json_schema');
    expect(fake.requests[0].tools).toBeUndefined();
    expect(turn.source).toBe('MODEL');
    expect(turn.narrative).toBe(
      'You walk to the inn, and a drover stands you a coin for the news.',
    );
    expect(turn.effects.map((e: any) => e.tool)).toEqual(['travel']);
    expect(turn.rejected).toEqual([
      expect.objectContaining({ tool: 'change_gold', reason: expect.stringMatching(/at most 10/) }),
    ]);
    const [row] = await app.sql<{ location_id: string; gold: number }>(
      'select location_id, gold from players where id = ?',
      [hero.id],
    );
    expect(row).toEqual({ location_id: 'gilded-tankard', gold: hero.gold });
  });
});
