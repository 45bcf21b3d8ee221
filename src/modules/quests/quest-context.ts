import type { Item } from '../items/item.entity';
import type { Player } from '../players/player.entity';
import type { Location } from '../world/location.entity';
import type { Npc } from '../world/npc.entity';
import { ENEMY_KINDS } from './enemy-kinds';
import type { QuestContext } from './quest-generator';
import {
  COLLECTABLE_TYPES,
  maxExperienceReward,
  maxGoldReward,
  QUEST_LIMITS,
  rarityFits,
} from './quest-rules';
import type { QuestFacts } from './quest.validator';

/** The world as quests see it: small reference tables, read whole. */
export interface QuestWorld {
  locations: Pick<Location, 'id' | 'name' | 'region'>[];
  exits: { from: string; to: string }[];
  npcs: (Pick<Npc, 'id' | 'name' | 'role'> & { locationId: string })[];
  items: Pick<Item, 'id' | 'name' | 'type' | 'rarity'>[];
}

/** What a generator is told: the character, the world within reach, the catalogue and the caps. */
export function contextFor(
  player: Pick<Player, 'id' | 'characterName' | 'characterClass' | 'level' | 'locationId'>,
  questCount: number,
  hint: string | undefined,
  world: QuestWorld,
): QuestContext {
  const level = player.level;
  const distance = distancesFrom(player.locationId, world.exits);
  const catalogue = world.items.map(({ id, name, type, rarity }) => ({ id, name, type, rarity }));
  return {
    player: {
      id: player.id,
      characterName: player.characterName,
      characterClass: player.characterClass,
      level,
      locationId: player.locationId,
    },
    questCount,
    hint,
    locations: world.locations
      .filter((l) => distance.has(l.id))
      .map((l) => ({ id: l.id, name: l.name, region: l.region, distance: distance.get(l.id)! })),
    npcs: world.npcs
      .filter((n) => distance.has(n.locationId))
      .map((n) => ({ id: n.id, name: n.name, role: n.role, locationId: n.locationId })),
    collectable: catalogue.filter(
      (i) => COLLECTABLE_TYPES.includes(i.type) && rarityFits(i.rarity, level),
    ),
    rewardable: catalogue.filter((i) => rarityFits(i.rarity, level)),
    enemies: ENEMY_KINDS,
    limits: {
      maxExperience: maxExperienceReward(level),
      maxGold: maxGoldReward(level),
      maxRewardItems: QUEST_LIMITS.rewardItemsMax,
      maxRewardItemQuantity: QUEST_LIMITS.rewardItemQuantityMax,
      maxObjectives: QUEST_LIMITS.objectivesMax,
      maxCollect: QUEST_LIMITS.collectMax,
      maxDefeat: QUEST_LIMITS.defeatMax,
    },
  };
}

/** Travel steps from `start` to every place reachable from it (breadth-first). */
function distancesFrom(start: string, exits: { from: string; to: string }[]): Map<string, number> {
  const next = new Map<string, string[]>();
  for (const { from, to } of exits) next.set(from, [...(next.get(from) ?? []), to]);
  const distance = new Map([[start, 0]]);
  const queue = [start];
  while (queue.length > 0) {
    const here = queue.shift()!;
    for (const there of next.get(here) ?? []) {
      if (!distance.has(there)) {
        distance.set(there, distance.get(here)! + 1);
        queue.push(there);
      }
    }
  }
  return distance;
}

/** What the validator checks against: the same world, at the character's level. */
export function factsOf(world: QuestWorld, level: number): QuestFacts {
  return {
    level,
    locations: new Map(world.locations.map((l) => [l.id, { name: l.name }])),
    npcs: new Map(world.npcs.map((n) => [n.id, { name: n.name }])),
    items: new Map(
      world.items.map((i) => [i.id, { name: i.name, type: i.type, rarity: i.rarity }]),
    ),
    enemyKinds: new Set(ENEMY_KINDS.map((e) => e.kind)),
  };
}
