import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { isUuid } from '../../common/errors/validation';
import { CharacterClass } from '../players/character-class';
import { CreateItemInput } from './dto/create-item.input';
import { itemRuleProblems } from './item-rules';
import { ItemType, Rarity } from './item.enums';
import { HEALTH_POTION, ITEM_SEED, MANA_POTION, seedItemId, STARTER_WEAPONS } from './items.seed';

const byName = new Map(ITEM_SEED.map((item) => [item.name, item]));

describe('item seed', () => {
  it('holds at least 45 items covering every type and every rarity', () => {
    expect(ITEM_SEED.length).toBeGreaterThanOrEqual(45);
    expect(new Set(ITEM_SEED.map((i) => i.type))).toEqual(new Set(Object.values(ItemType)));
    expect(new Set(ITEM_SEED.map((i) => i.rarity))).toEqual(new Set(Object.values(Rarity)));
  });

  it('has names unique case-insensitively', () => {
    const lower = ITEM_SEED.map((i) => i.name.toLowerCase());
    expect(new Set(lower).size).toBe(ITEM_SEED.length);
  });

  it.each(ITEM_SEED.map((item) => [item.name, item] as const))(
    '%s passes the same validation as createItem',
    (_name, item) => {
      const input = plainToInstance(CreateItemInput, { ...item });
      const errors = validateSync(input, { whitelist: true, forbidNonWhitelisted: true });
      expect(errors.map((e) => e.toString())).toEqual([]);
      // Already in normal form: the migration stores the names as they are written here.
      expect(input.name).toBe(item.name);
      expect(itemRuleProblems(item)).toEqual([]);
    },
  );

  it('has a common Health Potion that heals and a Mana Potion that restores mana', () => {
    expect(byName.get(HEALTH_POTION)).toMatchObject({
      type: ItemType.CONSUMABLE,
      rarity: Rarity.COMMON,
      effects: [{ type: 'heal', amount: expect.any(Number) }],
    });
    expect(byName.get(MANA_POTION)).toMatchObject({
      type: ItemType.CONSUMABLE,
      effects: [{ type: 'restoreMana', amount: expect.any(Number) }],
    });
  });

  it('names an existing main-hand weapon as the starter weapon of every class', () => {
    expect(Object.keys(STARTER_WEAPONS).sort()).toEqual(Object.values(CharacterClass).sort());
    for (const name of Object.values(STARTER_WEAPONS)) {
      expect(byName.get(name)).toMatchObject({ type: ItemType.WEAPON, slot: 'MAIN_HAND' });
    }
    expect(new Set(Object.values(STARTER_WEAPONS)).size).toBe(Object.keys(STARTER_WEAPONS).length);
  });

  it('derives a stable, distinct, valid UUID for every seeded name', () => {
    const ids = ITEM_SEED.map((i) => seedItemId(i.name));
    expect(ids.every(isUuid)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(seedItemId(HEALTH_POTION)).toBe(seedItemId(HEALTH_POTION));
    expect(seedItemId('Health potion')).not.toBe(seedItemId(HEALTH_POTION));
  });
});
