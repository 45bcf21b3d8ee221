import { REGIONS } from '../world/world.seed';

/**
 * The enemies a DEFEAT objective may name, and where they roam. A stand-in
 * until the combat issue ships a bestiary; ENEMY_DEFEATED events carry these names.
 */
export const ENEMY_KINDS: readonly { kind: string; regions: readonly string[] }[] = [
  { kind: 'giant rat', regions: [REGIONS.MILLBROOK] },
  { kind: 'wolf', regions: [REGIONS.WHISPERING_WOODS, REGIONS.IRONPEAK] },
  { kind: 'giant spider', regions: [REGIONS.WHISPERING_WOODS] },
  { kind: 'bandit', regions: [REGIONS.WHISPERING_WOODS, REGIONS.MILLBROOK] },
  { kind: 'goblin', regions: [REGIONS.IRONPEAK] },
  { kind: 'cave troll', regions: [REGIONS.IRONPEAK] },
  { kind: 'frost wolf', regions: [REGIONS.IRONPEAK] },
  { kind: 'smuggler', regions: [REGIONS.SALTMARSH] },
  { kind: 'marsh wraith', regions: [REGIONS.SALTMARSH] },
  { kind: 'drowned sailor', regions: [REGIONS.SALTMARSH] },
];

export const ENEMY_KIND_NAMES: readonly string[] = ENEMY_KINDS.map((e) => e.kind);
