import { EquipmentSlot, ItemType } from './item.enums';

/**
 * What an item may be, as plain data and pure functions: createItem, the seed
 * test and the inventory all read the same rules. The database repeats the
 * structural ones as CHECK constraints (see the items migration).
 */

export const ITEM_LIMITS = {
  nameMin: 2,
  nameMax: 64,
  descriptionMax: 500,
  valueMax: 1_000_000,
  /** Pounds, two decimals at most (the column is numeric(7,2)). */
  weightMax: 1_000,
  effectsMax: 4,
} as const;

/** The six attributes of a character (Player.stats). */
export const ATTRIBUTES = [
  'strength',
  'dexterity',
  'intelligence',
  'constitution',
  'wisdom',
  'charisma',
] as const;
export type Attribute = (typeof ATTRIBUTES)[number];

/** What an equipped item may add to (or, if negative, take from) its wearer. */
export const STAT_KEYS = [...ATTRIBUTES, 'maxHealth', 'maxMana'] as const;
export type StatKey = (typeof STAT_KEYS)[number];
export type ItemStats = Partial<Record<StatKey, number>>;

/** Bounds of one stat bonus; zero is no bonus and is left out instead. */
export const STAT_RANGE: Record<StatKey, { min: number; max: number }> = {
  strength: { min: -50, max: 50 },
  dexterity: { min: -50, max: 50 },
  intelligence: { min: -50, max: 50 },
  constitution: { min: -50, max: 50 },
  wisdom: { min: -50, max: 50 },
  charisma: { min: -50, max: 50 },
  maxHealth: { min: -500, max: 500 },
  maxMana: { min: -500, max: 500 },
};

/**
 * What using a consumable does. A closed set: the inventory must handle every kind.
 * - heal: restores `amount` health, clamped at maxHealth.
 * - restoreMana: restores `amount` mana, clamped at maxMana.
 * - buff: raises `stat` by `amount` for the next `turns` game-master turns.
 */
export type ItemEffect =
  | { type: 'heal'; amount: number }
  | { type: 'restoreMana'; amount: number }
  | { type: 'buff'; stat: Attribute; amount: number; turns: number };
export type ItemEffectType = ItemEffect['type'];

export const EFFECT_TYPES: readonly ItemEffectType[] = ['heal', 'restoreMana', 'buff'];

export const EFFECT_LIMITS = {
  restoreMax: 1_000,
  buffMax: 50,
  turnsMax: 100,
} as const;

/** Which slots each type may take; `required` types cannot exist without one. */
export const SLOTS_BY_TYPE: Record<ItemType, { slots: EquipmentSlot[]; required: boolean }> = {
  WEAPON: { slots: [EquipmentSlot.MAIN_HAND, EquipmentSlot.OFF_HAND], required: true },
  ARMOR: {
    slots: [
      EquipmentSlot.OFF_HAND,
      EquipmentSlot.HEAD,
      EquipmentSlot.CHEST,
      EquipmentSlot.HANDS,
      EquipmentSlot.LEGS,
      EquipmentSlot.FEET,
      EquipmentSlot.BACK,
    ],
    required: true,
  },
  MISC: { slots: [EquipmentSlot.RING, EquipmentSlot.AMULET], required: false },
  CONSUMABLE: { slots: [], required: false },
  MATERIAL: { slots: [], required: false },
  QUEST: { slots: [], required: false },
};

export interface ItemShape {
  type: ItemType;
  slot?: EquipmentSlot | null;
  stats?: unknown;
  effects?: unknown;
}

export interface Problem {
  field: 'slot' | 'stats' | 'effects';
  message: string;
}

/** Every way the slot, stats and effects of an item break the rules (empty when it is valid). */
export function itemRuleProblems(item: ItemShape): Problem[] {
  return [...slotProblems(item), ...statsProblems(item), ...effectsProblems(item)];
}

function slotProblems({ type, slot }: ItemShape): Problem[] {
  const rule = SLOTS_BY_TYPE[type];
  if (slot == null) {
    return rule.required ? [{ field: 'slot', message: `a ${type} item needs a slot` }] : [];
  }
  if (rule.slots.includes(slot)) return [];
  const allowed = rule.slots.length ? rule.slots.join(', ') : 'none';
  return [
    { field: 'slot', message: `a ${type} item cannot take slot ${slot} (allowed: ${allowed})` },
  ];
}

function statsProblems({ type, slot, stats }: ItemShape): Problem[] {
  if (stats == null) return [];
  const problem = (message: string): Problem => ({ field: 'stats', message });
  if (!isPlainObject(stats)) return [problem('stats must be an object such as { "strength": 2 }')];
  const problems: Problem[] = [];
  for (const [key, value] of Object.entries(stats)) {
    if (!(STAT_KEYS as readonly string[]).includes(key)) {
      problems.push(problem(`stats.${key} is not a stat (known: ${STAT_KEYS.join(', ')})`));
      continue;
    }
    const { min, max } = STAT_RANGE[key as StatKey];
    if (
      !Number.isInteger(value) ||
      (value as number) < min ||
      (value as number) > max ||
      value === 0
    )
      problems.push(problem(`stats.${key} must be a non-zero integer from ${min} to ${max}`));
  }
  // Bonuses count while the item is worn, so only what has a slot may carry them.
  // (A weapon or armour missing its slot is the slot's fault, reported above.)
  if (slot == null && !SLOTS_BY_TYPE[type].required && Object.keys(stats).length > 0)
    problems.push(problem('only an item with a slot may have stats'));
  return problems;
}

function effectsProblems({ type, effects }: ItemShape): Problem[] {
  const problem = (message: string): Problem => ({ field: 'effects', message });
  const list = effects ?? [];
  if (!Array.isArray(list))
    return [problem('effects must be a list such as [{ "type": "heal", "amount": 50 }]')];
  if (type !== ItemType.CONSUMABLE) {
    return list.length ? [problem('only a CONSUMABLE item may have effects')] : [];
  }
  if (list.length === 0) return [problem('a CONSUMABLE item needs at least one effect')];
  if (list.length > ITEM_LIMITS.effectsMax)
    return [problem(`at most ${ITEM_LIMITS.effectsMax} effects`)];
  const problems = list.flatMap((effect, i) =>
    effectProblems(effect, `effects[${i}]`).map(problem),
  );
  // The same effect twice is one effect with the sum; say it once.
  const keys = list.map(
    (e: { type?: unknown; stat?: unknown }) => `${String(e?.type)}:${String(e?.stat)}`,
  );
  if (problems.length === 0 && new Set(keys).size !== keys.length)
    problems.push(problem('effects must not repeat the same effect (or buff the same stat twice)'));
  return problems;
}

function effectProblems(effect: unknown, at: string): string[] {
  if (!isPlainObject(effect)) return [`${at} must be an object with a "type"`];
  const type = effect.type;
  if (typeof type !== 'string' || !(EFFECT_TYPES as readonly string[]).includes(type))
    return [`${at}.type must be one of ${EFFECT_TYPES.join(', ')}`];
  const known = type === 'buff' ? ['type', 'stat', 'amount', 'turns'] : ['type', 'amount'];
  const problems = Object.keys(effect)
    .filter((key) => !known.includes(key))
    .map((key) => `${at}.${key} is not a field of a ${type} effect (fields: ${known.join(', ')})`);
  const intIn = (key: string, min: number, max: number) => {
    const value = effect[key];
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max)
      problems.push(`${at}.${key} must be an integer from ${min} to ${max}`);
  };
  if (type === 'buff') {
    if (typeof effect.stat !== 'string' || !(ATTRIBUTES as readonly string[]).includes(effect.stat))
      problems.push(`${at}.stat must be one of ${ATTRIBUTES.join(', ')}`);
    intIn('amount', 1, EFFECT_LIMITS.buffMax);
    intIn('turns', 1, EFFECT_LIMITS.turnsMax);
  } else {
    intIn('amount', 1, EFFECT_LIMITS.restoreMax);
  }
  return problems;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
