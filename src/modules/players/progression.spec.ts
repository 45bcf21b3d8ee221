import { experienceForLevel, experienceToNextLevel } from './progression';

describe('progression', () => {
  const LEVELS = Array.from({ length: 100 }, (_, i) => i + 1);

  it('needs no experience for level 1 (nor for anything below it)', () => {
    expect(experienceForLevel(1)).toBe(0);
    expect(experienceForLevel(0)).toBe(0);
    expect(experienceForLevel(-3)).toBe(0);
  });

  it('needs a whole, strictly increasing amount of experience for each level', () => {
    for (const level of LEVELS) {
      const here = experienceForLevel(level);
      const next = experienceForLevel(level + 1);
      expect(Number.isInteger(here)).toBe(true);
      expect(next).toBeGreaterThan(here);
    }
  });

  it('makes each step at least as long as the one before', () => {
    for (const level of LEVELS) {
      const step = experienceForLevel(level + 1) - experienceForLevel(level);
      const nextStep = experienceForLevel(level + 2) - experienceForLevel(level + 1);
      expect(nextStep).toBeGreaterThanOrEqual(step);
    }
  });

  it('starts a new character with the whole first step still to go', () => {
    expect(experienceToNextLevel(1, 0)).toBe(experienceForLevel(2));
    expect(experienceToNextLevel(1, 0)).toBeGreaterThan(0);
  });

  it('counts down one for one as experience is earned within a level', () => {
    for (const level of [1, 2, 5, 20]) {
      const start = experienceForLevel(level);
      const end = experienceForLevel(level + 1);
      expect(experienceToNextLevel(level, start)).toBe(end - start);
      expect(experienceToNextLevel(level, start + 1)).toBe(end - start - 1);
      expect(experienceToNextLevel(level, end - 1)).toBe(1);
      expect(experienceToNextLevel(level, end)).toBe(0);
    }
  });

  it('is never negative, even past the threshold or for odd inputs', () => {
    for (const level of LEVELS) {
      for (const experience of [
        0,
        experienceForLevel(level),
        experienceForLevel(level + 1),
        experienceForLevel(level + 5),
        10_000_000,
      ]) {
        expect(experienceToNextLevel(level, experience)).toBeGreaterThanOrEqual(0);
      }
    }
    expect(experienceToNextLevel(0, 0)).toBeGreaterThanOrEqual(0);
    expect(experienceToNextLevel(1, Number.MAX_SAFE_INTEGER)).toBe(0);
  });
});
