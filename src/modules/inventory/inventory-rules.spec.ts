import {
  carryCapacity,
  effectiveStats,
  maximaAfter,
  maximaAllowed,
  stackWeight,
} from './inventory-rules';

const BASE = {
  strength: 10,
  dexterity: 1,
  intelligence: 6,
  constitution: 14,
  wisdom: 8,
  charisma: 9,
};

describe('inventory rules', () => {
  it('carries 50 lb plus 10 per point of strength, never less than 50', () => {
    expect(carryCapacity(0)).toBe(50);
    expect(carryCapacity(15)).toBe(200);
    expect(carryCapacity(-3)).toBe(50);
  });

  it('weighs stacks in exact hundredths of a pound', () => {
    // 0.1 + 0.2 in floating point is not 0.3; in hundredths it is.
    expect(stackWeight(0.1, 1) + stackWeight(0.2, 1)).toBe(stackWeight(0.3, 1));
    expect(stackWeight(0.5, 9999)).toBe(499_950);
    expect(stackWeight(1000, 9999)).toBe(999_900_000);
  });

  it('adds the bonuses of every worn item and clamps each attribute at 0', () => {
    expect(
      effectiveStats(BASE, [{ strength: 2, dexterity: -1 }, { dexterity: -5, maxHealth: 40 }, {}]),
    ).toEqual({ ...BASE, strength: 12, dexterity: 0 });
    expect(effectiveStats(BASE, [])).toEqual(BASE);
  });

  it('moves the maxima by what is put on and taken off, and refuses none left', () => {
    const now = { maxHealth: 70, maxMana: 120 };
    expect(maximaAfter(now, { maxHealth: 40 }, { maxHealth: 10, maxMana: 5 })).toEqual({
      maxHealth: 100,
      maxMana: 115,
    });
    expect(maximaAllowed(maximaAfter(now, { maxHealth: -69 }))).toBe(true);
    expect(maximaAllowed(maximaAfter(now, { maxHealth: -70 }))).toBe(false);
    expect(maximaAllowed(maximaAfter(now, { maxMana: -120 }))).toBe(true);
    expect(maximaAllowed(maximaAfter(now, { maxMana: -121 }))).toBe(false);
  });
});
