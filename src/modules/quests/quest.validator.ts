import type { ItemType, Rarity } from '../items/item.enums';
import { ObjectiveKind, QuestType } from './quest.enums';
import type { QuestObjective, QuestRewardItem, QuestRewards } from './quest.entity';
import {
  COLLECTABLE_TYPES,
  maxExperienceReward,
  maxGoldReward,
  normaliseEnemyKind,
  QUEST_LIMITS as L,
  questTypeOf,
  RARITY_MIN_LEVEL,
  rarityFits,
} from './quest-rules';

/** What the validator checks a proposal against: the world and catalogue as they are now. */
export interface QuestFacts {
  level: number;
  locations: ReadonlyMap<string, { name: string }>;
  npcs: ReadonlyMap<string, { name: string }>;
  items: ReadonlyMap<string, { name: string; type: ItemType; rarity: Rarity }>;
  enemyKinds: ReadonlySet<string>;
}

/** A proposal that passed: ready to save, with the server's wording and type. */
export interface ValidQuest {
  title: string;
  description: string;
  type: QuestType;
  objectives: QuestObjective[];
  rewards: QuestRewards;
}

export type Validation = { ok: true; quest: ValidQuest } | { ok: false; problems: string[] };

const OBJECTIVE_FIELDS: Record<ObjectiveKind, string[]> = {
  [ObjectiveKind.VISIT]: ['kind', 'locationId'],
  [ObjectiveKind.COLLECT]: ['kind', 'itemId', 'quantity'],
  [ObjectiveKind.TALK]: ['kind', 'npcId'],
  [ObjectiveKind.DEFEAT]: ['kind', 'enemyKind', 'count'],
};

/**
 * The one gate every quest proposal passes before it is saved, whoever wrote
 * it. The input is untrusted JSON: every field is checked for type, range and
 * existence, and the saved quest is rebuilt from the checked values only.
 */
export function validateQuestProposal(proposal: unknown, facts: QuestFacts): Validation {
  const problems: string[] = [];
  if (!isPlainObject(proposal)) return { ok: false, problems: ['a proposal must be an object'] };
  problems.push(...unknownKeys(proposal, ['title', 'description', 'objectives', 'rewards'], ''));

  const title = text(proposal.title, 'title', L.titleMin, L.titleMax, false, problems);
  const description = text(
    proposal.description,
    'description',
    L.descriptionMin,
    L.descriptionMax,
    true,
    problems,
  );
  const objectives = objectivesOf(proposal.objectives, facts, problems);
  const rewards = rewardsOf(proposal.rewards, facts, problems);

  if (problems.length > 0 || !title || !description || !objectives || !rewards)
    return { ok: false, problems };
  return {
    ok: true,
    quest: {
      title,
      description,
      type: questTypeOf(objectives.map((o) => o.kind)),
      objectives,
      rewards,
    },
  };
}

function objectivesOf(
  value: unknown,
  facts: QuestFacts,
  problems: string[],
): QuestObjective[] | undefined {
  if (!Array.isArray(value)) {
    problems.push('objectives must be a list');
    return undefined;
  }
  // Counted before anything else, so a list of a million entries costs nothing more.
  if (value.length < L.objectivesMin || value.length > L.objectivesMax) {
    problems.push(`a quest needs ${L.objectivesMin} to ${L.objectivesMax} objectives`);
    return undefined;
  }
  const before = problems.length;
  const objectives = value.map((entry, i) =>
    objectiveOf(entry, `objectives[${i}]`, facts, problems),
  );
  const targets = objectives.map((o) => (o ? targetKey(o) : undefined)).filter(Boolean);
  if (new Set(targets).size !== targets.length)
    problems.push('objectives must not repeat the same target');
  if (problems.length > before) return undefined;
  return objectives as QuestObjective[];
}

function objectiveOf(
  value: unknown,
  at: string,
  facts: QuestFacts,
  problems: string[],
): QuestObjective | undefined {
  if (!isPlainObject(value)) {
    problems.push(`${at} must be an object with a "kind"`);
    return undefined;
  }
  const kind = value.kind;
  if (typeof kind !== 'string' || !Object.hasOwn(OBJECTIVE_FIELDS, kind)) {
    problems.push(`${at}.kind must be one of ${Object.keys(OBJECTIVE_FIELDS).join(', ')}`);
    return undefined;
  }
  const before = problems.length;
  problems.push(...unknownKeys(value, OBJECTIVE_FIELDS[kind as ObjectiveKind], at));
  const fail = (message: string) => {
    problems.push(`${at}.${message}`);
    return undefined;
  };

  switch (kind as ObjectiveKind) {
    case ObjectiveKind.VISIT: {
      const location = lookup(facts.locations, value.locationId);
      if (!location) return fail('locationId must name an existing location');
      if (problems.length > before) return undefined;
      return {
        kind: ObjectiveKind.VISIT,
        locationId: idOf(value.locationId),
        description: `Travel to ${location.name}`,
        current: 0,
        required: 1,
      };
    }
    case ObjectiveKind.TALK: {
      const npc = lookup(facts.npcs, value.npcId);
      if (!npc) return fail('npcId must name an existing NPC');
      if (problems.length > before) return undefined;
      return {
        kind: ObjectiveKind.TALK,
        npcId: idOf(value.npcId),
        description: `Talk to ${npc.name}`,
        current: 0,
        required: 1,
      };
    }
    case ObjectiveKind.COLLECT: {
      const item = lookup(facts.items, value.itemId);
      if (!item) return fail('itemId must name an existing item');
      if (!COLLECTABLE_TYPES.includes(item.type))
        return fail(
          `itemId: ${item.name} is a ${item.type} item; only ${COLLECTABLE_TYPES.join(', ')} items can be collected`,
        );
      if (!rarityFits(item.rarity, facts.level))
        return fail(
          `itemId: ${item.name} is ${item.rarity}, which needs level ${RARITY_MIN_LEVEL[item.rarity]}`,
        );
      if (!isIntIn(value.quantity, 1, L.collectMax))
        return fail(`quantity must be an integer from 1 to ${L.collectMax}`);
      if (problems.length > before) return undefined;
      const quantity = value.quantity as number;
      return {
        kind: ObjectiveKind.COLLECT,
        itemId: idOf(value.itemId),
        description: `Collect ${quantity} × ${item.name}`,
        current: 0,
        required: quantity,
      };
    }
    case ObjectiveKind.DEFEAT: {
      const enemyKind =
        typeof value.enemyKind === 'string' && value.enemyKind.length <= L.enemyKindMax * 2
          ? normaliseEnemyKind(value.enemyKind)
          : undefined;
      if (!enemyKind || !facts.enemyKinds.has(enemyKind))
        return fail(`enemyKind must be one of ${[...facts.enemyKinds].join(', ')}`);
      if (!isIntIn(value.count, 1, L.defeatMax))
        return fail(`count must be an integer from 1 to ${L.defeatMax}`);
      if (problems.length > before) return undefined;
      const count = value.count as number;
      return {
        kind: ObjectiveKind.DEFEAT,
        enemyKind,
        description: `Defeat ${count} × ${enemyKind}`,
        current: 0,
        required: count,
      };
    }
  }
}

function rewardsOf(
  value: unknown,
  facts: QuestFacts,
  problems: string[],
): QuestRewards | undefined {
  if (!isPlainObject(value)) {
    problems.push('rewards must be an object { experience, gold, items }');
    return undefined;
  }
  const before = problems.length;
  problems.push(...unknownKeys(value, ['experience', 'gold', 'items'], 'rewards'));
  const level = facts.level;
  const maxXp = maxExperienceReward(level);
  const maxGold = maxGoldReward(level);
  if (!isIntIn(value.experience, 0, maxXp))
    problems.push(`rewards.experience must be an integer from 0 to ${maxXp} at level ${level}`);
  if (!isIntIn(value.gold, 0, maxGold))
    problems.push(`rewards.gold must be an integer from 0 to ${maxGold} at level ${level}`);

  const items: QuestRewardItem[] = [];
  const list = value.items ?? [];
  if (!Array.isArray(list)) {
    problems.push('rewards.items must be a list');
  } else if (list.length > L.rewardItemsMax) {
    problems.push(`rewards.items may hold at most ${L.rewardItemsMax} items`);
  } else {
    list.forEach((entry, i) => {
      const at = `rewards.items[${i}]`;
      if (!isPlainObject(entry)) return void problems.push(`${at} must be { itemId, quantity }`);
      problems.push(...unknownKeys(entry, ['itemId', 'quantity'], at));
      const item = lookup(facts.items, entry.itemId);
      if (!item) return void problems.push(`${at}.itemId must name an existing item`);
      if (!rarityFits(item.rarity, level))
        problems.push(
          `${at}: ${item.name} is ${item.rarity}, which needs level ${RARITY_MIN_LEVEL[item.rarity]}`,
        );
      if (!isIntIn(entry.quantity, 1, L.rewardItemQuantityMax))
        problems.push(`${at}.quantity must be an integer from 1 to ${L.rewardItemQuantityMax}`);
      items.push({ itemId: idOf(entry.itemId), quantity: entry.quantity as number });
    });
    if (new Set(items.map((i) => i.itemId)).size !== items.length)
      problems.push('rewards.items must not name the same item twice');
  }
  if (problems.length > before) return undefined;
  const rewards = {
    experience: value.experience as number,
    gold: value.gold as number,
    items,
  };
  if (rewards.experience === 0 && rewards.gold === 0 && items.length === 0) {
    problems.push('a quest must reward something');
    return undefined;
  }
  return rewards;
}

/**
 * A clean string within bounds (code points, as varchar counts them): NFC,
 * trimmed, runs of spaces collapsed; control characters refused (newlines only
 * where `multiline`).
 */
function text(
  value: unknown,
  field: string,
  min: number,
  max: number,
  multiline: boolean,
  problems: string[],
): string | undefined {
  // Judged on the raw length first, so a megabyte of text is refused without being scanned.
  if (typeof value !== 'string' || value.length > max * 4) {
    problems.push(`${field} must be a string of ${min} to ${max} characters`);
    return undefined;
  }
  let clean = value.normalize('NFC');
  clean = multiline
    ? clean
        .split('\n')
        .map((line) => line.replace(/[^\S\n]+/g, ' ').trim())
        .join('\n')
        .replace(/\n{3,}/g, '\n\n')
        .trim()
    : clean.replace(/\s+/g, ' ').trim();
  const length = [...clean].length;
  if (length < min || length > max) {
    problems.push(`${field} must be a string of ${min} to ${max} characters`);
    return undefined;
  }
  if (/[\p{Cc}\u2028\u2029]/u.test(clean.replace(/\n/g, ''))) {
    problems.push(`${field} must not contain control characters`);
    return undefined;
  }
  return clean;
}

function targetKey(o: QuestObjective): string {
  switch (o.kind) {
    case ObjectiveKind.VISIT:
      return `VISIT:${o.locationId}`;
    case ObjectiveKind.COLLECT:
      return `COLLECT:${o.itemId}`;
    case ObjectiveKind.TALK:
      return `TALK:${o.npcId}`;
    case ObjectiveKind.DEFEAT:
      return `DEFEAT:${o.enemyKind}`;
  }
}

/** Ids are stored lower-case (UUIDs and slugs); a model may write them in any case. */
function lookup<T>(map: ReadonlyMap<string, T>, id: unknown): T | undefined {
  return typeof id === 'string' && id.length <= 64 ? map.get(id.toLowerCase()) : undefined;
}

const idOf = (id: unknown) => (id as string).toLowerCase();

function isIntIn(value: unknown, min: number, max: number): value is number {
  return Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max;
}

function unknownKeys(value: Record<string, unknown>, known: string[], at: string): string[] {
  return Object.keys(value)
    .filter((key) => !known.includes(key))
    .slice(0, 5)
    .map((key) => `${at ? `${at}.` : ''}${key.slice(0, 40)} is not a known field`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
