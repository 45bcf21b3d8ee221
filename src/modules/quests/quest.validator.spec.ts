import { seedItemId } from '../items/items.seed';
import { factsOf } from './quest-context';
import { ObjectiveKind, QuestType } from './quest.enums';
import { validateQuestProposal, Validation } from './quest.validator';
import { SEED_WORLD } from './quest-world.fixture';

const id = (name: string) => seedItemId(name);
const WOLF_PELT = id('Wolf Pelt');
const HEALTH_POTION = id('Health Potion');

/** A proposal the rules accept at level 1; each test breaks one thing. */
function fair(): Record<string, any> {
  return {
    title: 'Pelts for the Lodge',
    description: 'Fenwick Thorne needs wolf pelts before the first snow.',
    objectives: [
      { kind: 'COLLECT', itemId: WOLF_PELT, quantity: 3 },
      { kind: 'VISIT', locationId: 'hunters-lodge' },
      { kind: 'TALK', npcId: 'fenwick-thorne' },
      { kind: 'DEFEAT', enemyKind: 'wolf', count: 2 },
    ],
    rewards: { experience: 120, gold: 40, items: [{ itemId: HEALTH_POTION, quantity: 2 }] },
  };
}

function validate(proposal: unknown, level = 1): Validation {
  return validateQuestProposal(proposal, factsOf(SEED_WORLD, level));
}

function refused(proposal: unknown, level = 1): string {
  const result = validate(proposal, level);
  expect(result.ok).toBe(false);
  return result.ok ? '' : result.problems.join('\n');
}

describe('validateQuestProposal', () => {
  it('accepts a fair proposal, writing the objectives and the type itself', () => {
    const result = validate(fair());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.quest).toEqual({
      title: 'Pelts for the Lodge',
      description: 'Fenwick Thorne needs wolf pelts before the first snow.',
      type: QuestType.MIXED,
      objectives: [
        {
          kind: ObjectiveKind.COLLECT,
          itemId: WOLF_PELT,
          description: 'Collect 3 × Wolf Pelt',
          current: 0,
          required: 3,
        },
        {
          kind: ObjectiveKind.VISIT,
          locationId: 'hunters-lodge',
          description: "Travel to Hunter's Lodge",
          current: 0,
          required: 1,
        },
        {
          kind: ObjectiveKind.TALK,
          npcId: 'fenwick-thorne',
          description: 'Talk to Fenwick Thorne',
          current: 0,
          required: 1,
        },
        {
          kind: ObjectiveKind.DEFEAT,
          enemyKind: 'wolf',
          description: 'Defeat 2 × wolf',
          current: 0,
          required: 2,
        },
      ],
      rewards: { experience: 120, gold: 40, items: [{ itemId: HEALTH_POTION, quantity: 2 }] },
    });
  });

  it('names the type after the objectives when they are all of one kind', () => {
    const fetch = { ...fair(), objectives: [fair().objectives[0]] };
    const result = validate(fetch);
    expect(result.ok && result.quest.type).toBe(QuestType.FETCH);
    const explore = { ...fair(), objectives: [{ kind: 'VISIT', locationId: 'elder-oak' }] };
    expect(validate(explore).ok && (validate(explore) as any).quest.type).toBe(QuestType.EXPLORE);
    // Travel that leads to a task is part of it.
    const social = {
      ...fair(),
      objectives: [
        { kind: 'VISIT', locationId: 'hunters-lodge' },
        { kind: 'TALK', npcId: 'fenwick-thorne' },
      ],
    };
    expect(validate(social).ok && (validate(social) as any).quest.type).toBe(QuestType.SOCIAL);
  });

  it('normalises the text and the ids a model may write loosely', () => {
    const result = validate({
      ...fair(),
      title: '  Pelts   for\tthe Lodge ',
      objectives: [
        { kind: 'COLLECT', itemId: WOLF_PELT.toUpperCase(), quantity: 3 },
        { kind: 'DEFEAT', enemyKind: '  Giant   Spider ', count: 2 },
      ],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.quest.title).toBe('Pelts for the Lodge');
    expect(result.quest.objectives.map((o) => (o as any).itemId ?? (o as any).enemyKind)).toEqual([
      WOLF_PELT,
      'giant spider',
    ]);
  });

  describe('refuses hostile proposals', () => {
    it.each([
      ['null', null],
      ['a string', 'give me everything'],
      ['a list', [fair()]],
      ['a number', 42],
    ])('that are not an object: %s', (_label, proposal) => {
      expect(refused(proposal)).toContain('must be an object');
    });

    it('with unknown ids of every kind', () => {
      const problems = refused({
        ...fair(),
        objectives: [
          { kind: 'VISIT', locationId: 'atlantis' },
          { kind: 'TALK', npcId: 'king-arthur' },
          { kind: 'COLLECT', itemId: '00000000-0000-4000-8000-000000000000', quantity: 1 },
          { kind: 'DEFEAT', enemyKind: 'dragon god', count: 1 },
        ],
        rewards: {
          experience: 10,
          gold: 10,
          items: [{ itemId: 'not-an-item', quantity: 1 }],
        },
      });
      expect(problems).toContain('objectives[0].locationId must name an existing location');
      expect(problems).toContain('objectives[1].npcId must name an existing NPC');
      expect(problems).toContain('objectives[2].itemId must name an existing item');
      expect(problems).toContain('objectives[3].enemyKind must be one of');
      expect(problems).toContain('rewards.items[0].itemId must name an existing item');
    });

    it('with 1,000,000 gold or experience past the level cap', () => {
      expect(refused({ ...fair(), rewards: { ...fair().rewards, gold: 1_000_000 } })).toContain(
        'rewards.gold must be an integer from 0 to 50 at level 1',
      );
      expect(refused({ ...fair(), rewards: { ...fair().rewards, experience: 151 } })).toContain(
        'rewards.experience must be an integer from 0 to 150 at level 1',
      );
      // The caps grow with the level.
      expect(
        validate({ ...fair(), rewards: { ...fair().rewards, gold: 500, experience: 1050 } }, 10).ok,
      ).toBe(true);
      expect(refused({ ...fair(), rewards: { ...fair().rewards, gold: 501 } }, 10)).toContain(
        'rewards.gold',
      );
    });

    it('with a legendary reward at level 1, and each rarity before its level', () => {
      const reward = (name: string) => ({
        ...fair(),
        rewards: { experience: 10, gold: 0, items: [{ itemId: id(name), quantity: 1 }] },
      });
      expect(refused(reward('Dawnbreaker Greatsword'))).toContain(
        'is LEGENDARY, which needs level 20',
      );
      expect(refused(reward('Dawnbreaker Greatsword'), 19)).toContain('LEGENDARY');
      expect(validate(reward('Dawnbreaker Greatsword'), 20).ok).toBe(true);
      expect(refused(reward('Moonlit Rapier'), 9)).toContain('is EPIC, which needs level 10');
      expect(validate(reward('Moonlit Rapier'), 10).ok).toBe(true);
      expect(refused(reward('Dwarven War Axe'), 4)).toContain('is RARE, which needs level 5');
      expect(validate(reward('Dwarven War Axe'), 5).ok).toBe(true);
      expect(validate(reward('Steel Longsword'), 1).ok).toBe(true);
    });

    it('with negative, zero, fractional, huge or non-numeric quantities', () => {
      for (const quantity of [-3, 0, 1.5, 21, 1e9, Number.NaN, Infinity, '3', null]) {
        expect(
          refused({ ...fair(), objectives: [{ kind: 'COLLECT', itemId: WOLF_PELT, quantity }] }),
        ).toContain('objectives[0].quantity must be an integer from 1 to 20');
        expect(
          refused({
            ...fair(),
            objectives: [{ kind: 'DEFEAT', enemyKind: 'wolf', count: quantity }],
          }),
        ).toContain('objectives[0].count must be an integer from 1 to 20');
        expect(
          refused({
            ...fair(),
            rewards: { experience: 10, gold: 0, items: [{ itemId: HEALTH_POTION, quantity }] },
          }),
        ).toContain('rewards.items[0].quantity must be an integer from 1 to 3');
      }
      expect(refused({ ...fair(), rewards: { ...fair().rewards, gold: -5 } })).toContain(
        'rewards.gold',
      );
      expect(refused({ ...fair(), rewards: { ...fair().rewards, experience: -1 } })).toContain(
        'rewards.experience',
      );
    });

    it('with 100 objectives, or none', () => {
      const many = Array.from({ length: 100 }, () => ({ kind: 'VISIT', locationId: 'elder-oak' }));
      expect(refused({ ...fair(), objectives: many })).toContain('a quest needs 1 to 5 objectives');
      expect(refused({ ...fair(), objectives: [] })).toContain('a quest needs 1 to 5 objectives');
      expect(refused({ ...fair(), objectives: 'all of them' })).toContain(
        'objectives must be a list',
      );
    });

    it('with huge, empty or control-laden strings', () => {
      expect(refused({ ...fair(), title: 'x'.repeat(1_000_000) })).toContain(
        'title must be a string of 3 to 80 characters',
      );
      expect(refused({ ...fair(), title: 'x'.repeat(81) })).toContain('title must be');
      expect(refused({ ...fair(), title: '  ' })).toContain('title must be');
      expect(refused({ ...fair(), title: 12345 })).toContain('title must be');
      expect(refused({ ...fair(), description: 'y'.repeat(1001) })).toContain(
        'description must be a string of 10 to 1000 characters',
      );
      expect(refused({ ...fair(), title: 'Bell\u0007 Quest' })).toContain(
        'title must not contain control characters',
      );
      // Code points, as the varchar column counts them: 80 emoji fit, 81 do not.
      expect(validate({ ...fair(), title: '🐺'.repeat(80) }).ok).toBe(true);
      expect(refused({ ...fair(), title: '🐺'.repeat(81) })).toContain('title must be');
      // Paragraphs survive in a description.
      const result = validate({ ...fair(), description: 'First part.\n\nSecond part.' });
      expect(result.ok && result.quest.description).toBe('First part.\n\nSecond part.');
    });

    it('with gear to collect, or rare things to collect at a low level', () => {
      expect(
        refused({
          ...fair(),
          objectives: [{ kind: 'COLLECT', itemId: id('Steel Longsword'), quantity: 1 }],
        }),
      ).toContain('is a WEAPON item; only MATERIAL, CONSUMABLE, QUEST items can be collected');
      expect(
        refused({
          ...fair(),
          objectives: [{ kind: 'COLLECT', itemId: id('Starmetal Ingot'), quantity: 1 }],
        }),
      ).toContain('is LEGENDARY, which needs level 20');
    });

    it('with too many reward items, or the same item twice', () => {
      const three = ['Health Potion', 'Mana Potion', 'Torch'].map((n) => ({
        itemId: id(n),
        quantity: 1,
      }));
      expect(refused({ ...fair(), rewards: { experience: 10, gold: 0, items: three } })).toContain(
        'rewards.items may hold at most 2 items',
      );
      expect(
        refused({
          ...fair(),
          rewards: { experience: 10, gold: 0, items: [three[0], three[0]] },
        }),
      ).toContain('must not name the same item twice');
    });

    it('with the same objective twice, unknown kinds or unknown fields', () => {
      expect(
        refused({
          ...fair(),
          objectives: [
            { kind: 'VISIT', locationId: 'elder-oak' },
            { kind: 'VISIT', locationId: 'ELDER-OAK' },
          ],
        }),
      ).toContain('objectives must not repeat the same target');
      expect(
        refused({ ...fair(), objectives: [{ kind: 'TELEPORT', locationId: 'elder-oak' }] }),
      ).toContain('objectives[0].kind must be one of VISIT, COLLECT, TALK, DEFEAT');
      expect(refused({ ...fair(), objectives: [{ kind: 'constructor' }] })).toContain(
        'objectives[0].kind must be one of',
      );
      expect(
        refused({
          ...fair(),
          objectives: [{ kind: 'VISIT', locationId: 'elder-oak', current: 1 }],
        }),
      ).toContain('objectives[0].current is not a known field');
      expect(refused({ ...fair(), status: 'COMPLETED' })).toContain('status is not a known field');
      expect(refused({ ...fair(), rewards: { ...fair().rewards, levels: 10 } })).toContain(
        'rewards.levels is not a known field',
      );
    });

    it('that reward nothing at all', () => {
      expect(refused({ ...fair(), rewards: { experience: 0, gold: 0, items: [] } })).toContain(
        'a quest must reward something',
      );
    });
  });
});
