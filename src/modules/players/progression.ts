/** Total experience needed to reach `level` (level 1 needs none). */
export function experienceForLevel(level: number): number {
  if (level <= 1) return 0;
  // A gentle curve: 100, 282, 519, 800 … between levels, growing as level^1.5.
  let total = 0;
  for (let l = 1; l < level; l++) total += Math.round(100 * Math.pow(l, 1.5));
  return total;
}

/** Experience still missing before the next level. */
export function experienceToNextLevel(level: number, experience: number): number {
  return Math.max(0, experienceForLevel(level + 1) - experience);
}
