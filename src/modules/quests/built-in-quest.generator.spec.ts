import { ItemType, Rarity } from '../items/item.enums';
import { seedItemId } from '../items/items.seed';
import { LOCATIONS } from '../world/world.seed';
import { writeQuest } from './built-in-quest.generator';
import { contextFor, factsOf, QuestWorld } from './quest-context';
import { validateQuestProposal } from './quest.validator';
import { character, SEED_WORLD } from './quest-world.fixture';

const playerId = (n: number) => `3f2b7c1e-0000-4000-8000-${String(n).padStart(12, '0')}`;

function generate(
  options: Partial<{
    id: string;
    level: number;
    locationId: string;
    count: number;
    hint: string;
  }> = {},
  world: QuestWorld = SEED_WORLD,
) {
  const player = character(options);
  const proposal = writeQuest(contextFor(player, options.count ?? 0, options.hint, world));
  const result = validateQuestProposal(proposal, factsOf(world, player.level));
  if (!result.ok) throw new Error(`invalid proposal: ${result.problems.join('; ')}`);
  return { proposal, quest: result.quest };
}

describe('BuiltInQuestGenerator', () => {
  it('writes only quests the validator accepts, at every level and place', () => {
    let checked = 0;
    for (const level of [1, 2, 5, 10, 20, 50])
      for (const location of LOCATIONS)
        for (let count = 0; count < 8; count++) {
          generate({ id: playerId(count * 7 + level), level, locationId: location.id, count });
          checked++;
        }
    expect(checked).toBe(6 * LOCATIONS.length * 8);
  });

  it('is deterministic: same character, count and hint, same quest', () => {
    const a = generate({ count: 3, hint: 'something in the woods' });
    const b = generate({ count: 3, hint: 'something in the woods' });
    expect(a.proposal).toEqual(b.proposal);
    expect(generate({ count: 4 }).proposal).not.toEqual(generate({ count: 3 }).proposal);
    expect(generate({ id: playerId(99), count: 3 }).proposal).not.toEqual(
      generate({ count: 3 }).proposal,
    );
  });

  it('varies the kind of quest from one to the next, for any character', () => {
    for (let n = 0; n < 50; n++) {
      const types = Array.from(
        { length: 5 },
        (_, count) => generate({ id: playerId(1000 + n), count: 10 + count }).quest.type,
      );
      // EXPLORE, SOCIAL and HUNT come round in every five.
      expect(new Set(types).size).toBeGreaterThanOrEqual(3);
    }
  });

  it('writes varied quests over a character’s career', () => {
    const quests = Array.from({ length: 30 }, (_, count) => generate({ count }).quest);
    expect(new Set(quests.map((q) => q.type)).size).toBeGreaterThanOrEqual(4);
    expect(new Set(quests.map((q) => q.title)).size).toBeGreaterThanOrEqual(15);
    const kinds = new Set(quests.flatMap((q) => q.objectives.map((o) => o.kind)));
    expect([...kinds].sort()).toEqual(['COLLECT', 'DEFEAT', 'TALK', 'VISIT']);
    const places = new Set(
      quests.flatMap((q) => q.objectives.flatMap((o) => ('locationId' in o ? [o.locationId] : []))),
    );
    expect(places.size).toBeGreaterThanOrEqual(5);
    expect(quests.filter((q) => q.rewards.items.length > 0).length).toBeGreaterThan(0);
  });

  it('never sends a character to the place it stands, and pays within the level caps', () => {
    for (let count = 0; count < 40; count++) {
      const { quest } = generate({ count, level: 3 });
      for (const o of quest.objectives)
        if ('locationId' in o) expect(o.locationId).not.toBe('millbrook-square');
      expect(quest.rewards.experience).toBeGreaterThan(0);
      expect(quest.rewards.experience).toBeLessThanOrEqual(100 * 3 + 50);
      expect(quest.rewards.gold).toBeLessThanOrEqual(50 * 3);
    }
  });

  describe('follows the hint', () => {
    it('to a place', () => {
      for (let count = 0; count < 5; count++) {
        const { quest } = generate({ count, hint: 'I want to see the Elder Oak' });
        expect(quest.objectives).toContainEqual(
          expect.objectContaining({ locationId: 'elder-oak' }),
        );
      }
    });

    it('to an item to collect', () => {
      for (let count = 0; count < 5; count++) {
        const { quest } = generate({ count, hint: 'wolf pelts' });
        expect(quest.objectives).toContainEqual(
          expect.objectContaining({ kind: 'COLLECT', itemId: seedItemId('Wolf Pelt') }),
        );
      }
    });

    it('to a person', () => {
      const { quest } = generate({ hint: 'talk to Marta' });
      expect(quest.objectives).toContainEqual(
        expect.objectContaining({ kind: 'TALK', npcId: 'marta-hollowell' }),
      );
    });

    it('to an enemy', () => {
      const { quest } = generate({ hint: 'hunt giant spiders' });
      expect(quest.type).toBe('HUNT');
      expect(quest.objectives).toContainEqual(
        expect.objectContaining({ kind: 'DEFEAT', enemyKind: 'giant spider' }),
      );
    });

    it('to gear as the reward, when the level allows it', () => {
      const { quest } = generate({ hint: 'I could use a Steel Longsword' });
      expect(quest.rewards.items).toEqual([{ itemId: seedItemId('Steel Longsword'), quantity: 1 }]);
      // A legendary blade at level 1 is a wish the rules do not grant.
      const legendary = generate({ hint: 'Dawnbreaker Greatsword' }).quest;
      expect(legendary.rewards.items.map((i) => i.itemId)).not.toContain(
        seedItemId('Dawnbreaker Greatsword'),
      );
    });

    it('and ignores a hint that names nothing it knows', () => {
      expect(() => generate({ hint: '💥 ; drop table quests; -- 🐉' })).not.toThrow();
    });
  });

  it('keeps titles within bounds whatever the names in the catalogue', () => {
    const long = 'Extraordinarily Long Name of a Material Made by an Admin Xyzzy';
    const world: QuestWorld = {
      ...SEED_WORLD,
      items: [
        {
          id: '3f2b7c1e-0000-4000-8000-aaaaaaaaaaaa',
          name: long,
          type: ItemType.MATERIAL,
          rarity: Rarity.COMMON,
        },
      ],
    };
    for (let count = 0; count < 30; count++) {
      const { quest } = generate({ count, hint: long }, world);
      expect([...quest.title].length).toBeLessThanOrEqual(80);
    }
  });
});
