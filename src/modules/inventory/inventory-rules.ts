import { ATTRIBUTES, type ItemStats } from '../items/item-rules';
import type { BaseStats } from '../players/character-class';

/** Pounds a character may carry: 50 plus 10 per point of (effective) strength. */
export const CARRY_BASE = 50;
export const CARRY_PER_STRENGTH = 10;

export function carryCapacity(strength: number): number {
  return CARRY_BASE + CARRY_PER_STRENGTH * Math.max(0, strength);
}

/**
 * Weights are numeric(7,2) pounds: sum them in whole hundredths so that no
 * floating-point drift can let a load slip over the limit (or wrongly refuse one).
 */
export function hundredths(pounds: number): number {
  return Math.round(pounds * 100);
}

export function stackWeight(weight: number, quantity: number): number {
  return hundredths(weight) * quantity;
}

/** Base attributes plus the bonuses of what is worn, each clamped at 0. */
export function effectiveStats(base: BaseStats, equipped: readonly ItemStats[]): BaseStats {
  const stats = { ...base };
  for (const attribute of ATTRIBUTES) {
    const bonus = equipped.reduce((sum, s) => sum + (s[attribute] ?? 0), 0);
    stats[attribute] = Math.max(0, base[attribute] + bonus);
  }
  return stats;
}

export interface Maxima {
  maxHealth: number;
  maxMana: number;
}

/**
 * maxHealth and maxMana bonuses of worn items are part of the stored maxima, so
 * the CHECK constraints (health <= max_health …) hold for what a character wears.
 * The maxima after putting `on` on and taking `off` off.
 */
export function maximaAfter(current: Maxima, on?: ItemStats, off?: ItemStats): Maxima {
  return {
    maxHealth: current.maxHealth + (on?.maxHealth ?? 0) - (off?.maxHealth ?? 0),
    maxMana: current.maxMana + (on?.maxMana ?? 0) - (off?.maxMana ?? 0),
  };
}

/** What the database allows: some health (max_health > 0) and no negative mana pool. */
export function maximaAllowed({ maxHealth, maxMana }: Maxima): boolean {
  return maxHealth >= 1 && maxMana >= 0;
}
