import { NpcRole } from './npc-role';
import { LOCATIONS, NPCS, PATHS, STARTING_LOCATION_ID } from './world.seed';

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Every location reachable from `start` along two-way paths. */
function reachable(start: string, paths: readonly (readonly [string, string])[]): Set<string> {
  const neighbours = new Map<string, string[]>();
  for (const [a, b] of paths) {
    neighbours.set(a, [...(neighbours.get(a) ?? []), b]);
    neighbours.set(b, [...(neighbours.get(b) ?? []), a]);
  }
  const seen = new Set([start]);
  const queue = [start];
  while (queue.length > 0) {
    for (const next of neighbours.get(queue.shift()!) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

describe('world seed', () => {
  const locationIds = new Set(LOCATIONS.map((l) => l.id));

  it('is big enough: at least 14 locations in at least 3 regions, and 10 NPCs', () => {
    expect(LOCATIONS.length).toBeGreaterThanOrEqual(14);
    expect(new Set(LOCATIONS.map((l) => l.region)).size).toBeGreaterThanOrEqual(3);
    expect(NPCS.length).toBeGreaterThanOrEqual(10);
    for (const region of new Set(LOCATIONS.map((l) => l.region))) {
      expect(LOCATIONS.filter((l) => l.region === region).length).toBeGreaterThanOrEqual(3);
    }
  });

  it('has unique slug ids that fit their columns, and real names and descriptions', () => {
    const ids = [...LOCATIONS.map((l) => l.id), ...NPCS.map((n) => n.id)];
    expect(new Set(LOCATIONS.map((l) => l.id)).size).toBe(LOCATIONS.length);
    expect(new Set(NPCS.map((n) => n.id)).size).toBe(NPCS.length);
    for (const id of ids) {
      expect(id).toMatch(SLUG);
      expect(id.length).toBeLessThanOrEqual(64);
    }
    for (const { name, region, description } of LOCATIONS) {
      expect(name.length).toBeGreaterThan(2);
      expect(name.length).toBeLessThanOrEqual(64);
      expect(region.length).toBeLessThanOrEqual(64);
      expect(description.length).toBeGreaterThanOrEqual(120);
    }
    for (const { name, description } of NPCS) {
      expect(name.length).toBeLessThanOrEqual(64);
      expect(description.length).toBeGreaterThanOrEqual(80);
    }
    expect(new Set(LOCATIONS.map((l) => l.name)).size).toBe(LOCATIONS.length);
  });

  it('starts characters in a real location', () => {
    expect(locationIds.has(STARTING_LOCATION_ID)).toBe(true);
  });

  it('only joins real, distinct locations, each pair once', () => {
    const seen = new Set<string>();
    for (const [a, b] of PATHS) {
      expect(locationIds.has(a)).toBe(true);
      expect(locationIds.has(b)).toBe(true);
      expect(a).not.toBe(b);
      const key = [a, b].sort().join('|');
      expect(seen.has(key)).toBe(false);
      seen.add(key);
    }
  });

  it('is one connected map: every location is reachable from the start', () => {
    expect([...reachable(STARTING_LOCATION_ID, PATHS)].sort()).toEqual([...locationIds].sort());
  });

  it('places every NPC in a real location, with the roles a town needs', () => {
    for (const npc of NPCS) expect(locationIds.has(npc.locationId)).toBe(true);
    const roles = new Set(NPCS.map((n) => n.role));
    for (const role of [
      NpcRole.MERCHANT,
      NpcRole.QUEST_GIVER,
      NpcRole.INNKEEPER,
      NpcRole.BLACKSMITH,
    ]) {
      expect(roles.has(role)).toBe(true);
    }
  });

  // A control for the reachability check above: it must notice an island.
  it('would notice a location cut off from the rest', () => {
    const cut = PATHS.filter(([a, b]) => a !== 'eagles-watch' && b !== 'eagles-watch');
    expect(reachable(STARTING_LOCATION_ID, cut).has('eagles-watch')).toBe(false);
  });
});
