import { ITEM_SEED, seedItemId } from '../items/items.seed';
import { CharacterClass } from '../players/character-class';
import { LOCATIONS, NPCS, PATHS, STARTING_LOCATION_ID } from '../world/world.seed';
import type { QuestWorld } from './quest-context';

/** The shipped world and catalogue as the quest code sees them, for unit tests. */
export const SEED_WORLD: QuestWorld = {
  locations: LOCATIONS.map(({ id, name, region }) => ({ id, name, region })),
  exits: PATHS.flatMap(([a, b]) => [
    { from: a, to: b },
    { from: b, to: a },
  ]),
  npcs: NPCS.map(({ id, name, role, locationId }) => ({ id, name, role, locationId })),
  items: ITEM_SEED.map(({ name, type, rarity }) => ({ id: seedItemId(name), name, type, rarity })),
};

export function character(
  overrides: Partial<{ id: string; level: number; locationId: string }> = {},
) {
  return {
    id: overrides.id ?? '3f2b7c1e-0000-4000-8000-000000000001',
    characterName: 'Aria',
    characterClass: CharacterClass.RANGER,
    level: overrides.level ?? 1,
    locationId: overrides.locationId ?? STARTING_LOCATION_ID,
  };
}
