import { randomBytes } from 'node:crypto';
import { LOCATIONS } from '../src/modules/world/world.seed';
import { createPlayer, registerUser, TestUser } from './support/factories';
import { FakeOpenAI, startFakeOpenAI } from './support/fake-openai';
import { bootTestApp, TestApp } from './support/test-app';

const HERE = `query($id: ID!) { player(id: $id) { location { id description narration } } }`;
const ALL = `{ locations { id description narration } }`;
const TRAVEL = `mutation($p: ID!, $l: ID!) { travel(playerId: $p, locationId: $l) { id } }`;
const seeded = (id: string) => LOCATIONS.find((l) => l.id === id)!.description;

describe('Location.narration offline', () => {
  let app: TestApp;
  let alice: TestUser;
  beforeAll(async () => {
    app = await bootTestApp();
    alice = await registerUser(app);
  });
  afterAll(() => app.close());

  it('is the seeded description when no model is configured', async () => {
    const hero = await createPlayer(app, alice);
    const here = (await app.gql(HERE, { id: hero.id }, alice.accessToken)).data!.player.location;
    expect(here.narration).toBe(seeded('millbrook-square'));
    const all = (await app.gql(ALL, {}, alice.accessToken)).data!.locations;
    for (const l of all) expect(l.narration).toBe(l.description);
  });
});

describe('Location.narration with a model', () => {
  let fake: FakeOpenAI;
  let app: TestApp;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    app = await bootTestApp({
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: 'test-key',
      OPENAI_MODEL: 'story-model',
      LLM_TIMEOUT_MS: '500',
      LLM_MAX_RETRIES: '0',
      LLM_CIRCUIT_FAILURES: '1000',
      // A cache of our own: another file's descriptions in a shared Redis must not answer for us.
      REDIS_KEY_PREFIX: `narration-${randomBytes(4).toString('hex')}:`,
    });
    alice = await registerUser(app);
    bob = await registerUser(app);
  });
  beforeEach(() => fake.reset());
  afterAll(async () => {
    await app.close();
    await fake.close();
  });

  const here = async (user: TestUser, playerId: string) =>
    (await app.gql(HERE, { id: playerId }, user.accessToken)).data!.player.location;

  it('is written by the model on the first visit, then served from the cache to everyone', async () => {
    fake.respondWith((body) => ({
      content: `  You stand in ${JSON.parse(body.messages[1].content.split('\n')[1]).name}; the model saw it first.\u0007 `,
    }));
    const hero = await createPlayer(app, alice);
    const square = await here(alice, hero.id);
    expect(square.narration).toBe('You stand in Millbrook Square; the model saw it first.');
    expect(square.description).toBe(seeded('millbrook-square'));
    expect(fake.requests).toHaveLength(1);
    const body = fake.requests[0];
    expect(body.model).toBe('story-model');
    expect(body.messages[1].content).toContain(seeded('millbrook-square'));
    expect(body.messages[1].content).toContain('Elder Rowan Ashby');

    // Read again, by the same user and by another: the cache answers, the model is not asked.
    expect((await here(alice, hero.id)).narration).toBe(square.narration);
    const other = await createPlayer(app, bob);
    expect((await here(bob, other.id)).narration).toBe(square.narration);
    const all = (await app.gql(ALL, {}, alice.accessToken)).data!.locations;
    expect(all.find((l: { id: string }) => l.id === 'millbrook-square').narration).toBe(
      square.narration,
    );
    // Places where none of the reader's characters stands are not written for a mere listing.
    for (const l of all.filter((l: { id: string }) => l.id !== 'millbrook-square'))
      expect(l.narration).toBe(l.description);
    expect(fake.requests).toHaveLength(1);

    // Travelling on: the next place is written on arrival, once.
    await app.gql(TRAVEL, { p: hero.id, l: 'gilded-tankard' }, alice.accessToken);
    expect((await here(alice, hero.id)).narration).toBe(
      'You stand in The Gilded Tankard; the model saw it first.',
    );
    await app.gql(TRAVEL, { p: hero.id, l: 'millbrook-square' }, alice.accessToken);
    await app.gql(TRAVEL, { p: hero.id, l: 'gilded-tankard' }, alice.accessToken);
    await here(alice, hero.id);
    expect(fake.requests).toHaveLength(2);
  });

  it('asks the model once however many readers arrive together', async () => {
    fake.respondWith(() => ({ content: 'Flour dust hangs in the air.', delayMs: 100 }));
    const hero = await createPlayer(app, alice);
    await app.gql(TRAVEL, { p: hero.id, l: 'old-mill' }, alice.accessToken);
    const reads = await Promise.all(Array.from({ length: 5 }, () => here(alice, hero.id)));
    expect(reads.map((r) => r.narration)).toEqual(Array(5).fill('Flour dust hangs in the air.'));
    expect(fake.requests).toHaveLength(1);
  });

  it('keeps the seeded description when the model fails, and does not ask again at once', async () => {
    fake.respondWith(() => ({ status: 500 }));
    const hero = await createPlayer(app, alice);
    await app.gql(TRAVEL, { p: hero.id, l: 'millbrook-market' }, alice.accessToken);
    expect((await here(alice, hero.id)).narration).toBe(seeded('millbrook-market'));
    expect((await here(alice, hero.id)).narration).toBe(seeded('millbrook-market'));
    expect(fake.requests).toHaveLength(1);

    fake.respondWith(() => ({ hang: true }));
    await app.gql(TRAVEL, { p: hero.id, l: 'millbrook-square' }, alice.accessToken);
    await app.gql(TRAVEL, { p: hero.id, l: 'dawn-chapel' }, alice.accessToken);
    expect((await here(alice, hero.id)).narration).toBe(seeded('dawn-chapel'));
  });
});
