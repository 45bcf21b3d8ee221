import { ItemType, Rarity } from '../items/item.enums';
import { ObjectiveKind, QuestType } from './quest.enums';

/** Every bound a quest must respect, wherever it came from (built-in generator or a model). */
export const QUEST_LIMITS = {
  titleMin: 3,
  titleMax: 80,
  descriptionMin: 10,
  descriptionMax: 1000,
  objectivesMin: 1,
  objectivesMax: 5,
  collectMax: 20,
  defeatMax: 20,
  enemyKindMax: 40,
  rewardItemsMax: 2,
  rewardItemQuantityMax: 3,
  hintMax: 200,
  /** Per character: quests waiting to be accepted, and quests in progress. */
  maxOffered: 10,
  maxActive: 5,
} as const;

/** What a COLLECT objective may ask for: things the world hands out, not gear. */
export const COLLECTABLE_TYPES: readonly ItemType[] = [
  ItemType.MATERIAL,
  ItemType.CONSUMABLE,
  ItemType.QUEST,
];

/** The lowest level at which each rarity may be asked for or given as a reward. */
export const RARITY_MIN_LEVEL: Record<Rarity, number> = {
  [Rarity.COMMON]: 1,
  [Rarity.UNCOMMON]: 1,
  [Rarity.RARE]: 5,
  [Rarity.EPIC]: 10,
  [Rarity.LEGENDARY]: 20,
};

export function rarityFits(rarity: Rarity, level: number): boolean {
  return level >= RARITY_MIN_LEVEL[rarity];
}

export const maxExperienceReward = (level: number) => 100 * level + 50;
export const maxGoldReward = (level: number) => 50 * level;

/** Enemy kinds compare lower-case with single spaces: "Giant  Spider" is "giant spider". */
export function normaliseEnemyKind(kind: string): string {
  return kind.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

const TYPE_BY_KIND: Record<ObjectiveKind, QuestType> = {
  [ObjectiveKind.COLLECT]: QuestType.FETCH,
  [ObjectiveKind.VISIT]: QuestType.EXPLORE,
  [ObjectiveKind.TALK]: QuestType.SOCIAL,
  [ObjectiveKind.DEFEAT]: QuestType.HUNT,
};

/**
 * The server names the type; a proposal cannot mislabel itself. Travel that
 * leads to a task is part of the task: "go to the lodge and talk to Fenwick" is SOCIAL.
 */
export function questTypeOf(kinds: readonly ObjectiveKind[]): QuestType {
  const tasks = new Set(kinds.filter((kind) => kind !== ObjectiveKind.VISIT));
  if (tasks.size === 0) return QuestType.EXPLORE;
  return tasks.size === 1 ? TYPE_BY_KIND[[...tasks][0]] : QuestType.MIXED;
}
