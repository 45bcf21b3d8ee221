import type { JsonSchema, LlmToolCall, LlmToolDefinition } from '../../infra/llm/llm.types';

/**
 * The typed tools of a turn. The same definitions go to the model as native
 * tools and check every proposal on the way back (the offline game master's too):
 * the model proposes with them, the server decides with turn-rules.ts.
 */
export const TOOL_NAMES = [
  'grant_experience',
  'change_health',
  'change_mana',
  'change_gold',
  'give_item',
  'take_item',
  'use_item',
  'travel',
  'talk_to_npc',
  'advance_quest_objective',
  'offer_quest',
  'start_combat',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** The subset of JSON Schema our tools use, so the checker below can be exact about it. */
interface PropertySchema {
  type: 'integer' | 'string';
  description: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
}

interface ToolSpec {
  description: string;
  properties: Record<string, PropertySchema>;
  required: string[];
}

const INT_LIMIT = 1_000_000_000;
const amount = (what: string): PropertySchema => ({
  type: 'integer',
  description: what,
  minimum: -INT_LIMIT,
  maximum: INT_LIMIT,
});
const id = (what: string, maxLength = 64): PropertySchema => ({
  type: 'string',
  description: what,
  minLength: 1,
  maxLength,
});
const quantity: PropertySchema = {
  type: 'integer',
  description: 'How many units (default 1).',
  minimum: 1,
  maximum: 999,
};

const SPECS: Record<ToolName, ToolSpec> = {
  grant_experience: {
    description:
      'Award experience for something the character achieved this turn (small amounts; the server caps experience per turn by level).',
    properties: {
      amount: { ...amount('Experience points, positive.'), minimum: 1 },
      reason: { type: 'string', description: 'What it was earned for.', maxLength: 200 },
    },
    required: ['amount'],
  },
  change_health: {
    description:
      'Hurt (negative) or heal (positive) the character outside combat; clamped to 0..maxHealth.',
    properties: { amount: amount('Health points; negative hurts, positive heals.') },
    required: ['amount'],
  },
  change_mana: {
    description: 'Drain (negative) or restore (positive) mana; clamped to 0..maxMana.',
    properties: { amount: amount('Mana points; negative drains, positive restores.') },
    required: ['amount'],
  },
  change_gold: {
    description:
      'Pay the character (positive) or charge it (negative, never below zero); capped per turn by level.',
    properties: { amount: amount('Gold coins; negative charges the character.') },
    required: ['amount'],
  },
  give_item: {
    description:
      'Give the character items from the catalogue (itemId, or its exact name). Rarity must fit the level; a few units per turn at most.',
    properties: {
      itemId: id('Item.id from the catalogue.'),
      itemName: id('The exact catalogue name, when the id is not known.'),
      quantity,
    },
    required: [],
  },
  take_item: {
    description: 'Take items the character carries (it hands them over, loses them, …).',
    properties: { itemId: id('Item.id of a stack in the inventory.'), quantity },
    required: ['itemId'],
  },
  use_item: {
    description: 'The character uses one unit of a consumable it carries (a potion, food …).',
    properties: { itemId: id('Item.id of a consumable in the inventory.') },
    required: ['itemId'],
  },
  travel: {
    description: 'Move the character along one exit of where it stands.',
    properties: { locationId: id('The id of an exit of the current location.') },
    required: ['locationId'],
  },
  talk_to_npc: {
    description:
      'The character talks with an NPC standing in the same place (advances TALK objectives).',
    properties: { npcId: id('The id of an NPC at the current location.') },
    required: ['npcId'],
  },
  advance_quest_objective: {
    description:
      'Mark that the character did what an objective of one of its ACTIVE quests asks, when the story did it. Only TALK objectives whose NPC stands here advance this way; places advance by travelling, items by holding them, enemies in combat. Quests are completed by the player, never here.',
    properties: {
      questId: id('The id of an ACTIVE quest of this character.'),
      objectiveIndex: {
        type: 'integer',
        description: 'Its index in the objectives (default: the first one that fits).',
        minimum: 0,
        maximum: 10,
      },
    },
    required: ['questId'],
  },
  offer_quest: {
    description:
      'Offer the character a new quest (the server writes and checks it; the player accepts it or not).',
    properties: {
      hint: { type: 'string', description: 'What the quest should be about.', maxLength: 200 },
    },
    required: [],
  },
  start_combat: {
    description: 'Start a fight with an enemy kind that roams this region.',
    properties: { enemy: id('The enemy kind, e.g. "wolf".', 40) },
    required: ['enemy'],
  },
};

/** Every tool may name the acting character; naming another one is refused. */
const PLAYER_ID: PropertySchema = {
  type: 'string',
  description: 'Optional: the acting character (no other character can be changed).',
  maxLength: 64,
};

export const TOOL_DEFINITIONS: LlmToolDefinition[] = TOOL_NAMES.map((name) => ({
  name,
  description: SPECS[name].description,
  parameters: {
    type: 'object',
    properties: { ...SPECS[name].properties, playerId: PLAYER_ID },
    required: SPECS[name].required,
    additionalProperties: false,
  } satisfies JsonSchema,
}));

export function isToolName(name: string): name is ToolName {
  return (TOOL_NAMES as readonly string[]).includes(name);
}

/** Raw argument text past this is refused unparsed (a model can send megabytes). */
export const MAX_ARGUMENT_CHARS = 4_000;
export const MAX_TOOL_CALL_ID_CHARS = 128;

export type ToolArgs = Record<string, string | number>;

export type Parsed = { ok: true; tool: ToolName; args: ToolArgs } | { ok: false; reason: string };

/** Checks one proposal's name and arguments against its schema; never throws. */
export function parseToolCall(call: LlmToolCall, playerId: string): Parsed {
  if (!isToolName(call.name))
    return { ok: false, reason: `unknown tool "${preview(call.name, 40)}"` };
  const spec = SPECS[call.name];
  if (typeof call.arguments !== 'string' || call.arguments.length > MAX_ARGUMENT_CHARS)
    return { ok: false, reason: `arguments longer than ${MAX_ARGUMENT_CHARS} characters` };
  let value: unknown;
  try {
    value = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
  } catch {
    return { ok: false, reason: 'arguments are not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, reason: 'arguments must be a JSON object' };

  const args: ToolArgs = {};
  const properties: Record<string, PropertySchema> = { ...spec.properties, playerId: PLAYER_ID };
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    const schema = Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (!schema) return { ok: false, reason: `unknown argument "${preview(key, 40)}"` };
    const problem = check(key, raw, schema);
    if (problem) return { ok: false, reason: problem };
    args[key] = typeof raw === 'string' ? storable(raw) : (raw as number);
  }
  for (const key of spec.required)
    if (!(key in args)) return { ok: false, reason: `missing argument "${key}"` };
  if (args.playerId !== undefined && args.playerId !== playerId)
    return { ok: false, reason: 'a turn changes only the acting character' };
  return { ok: true, tool: call.name, args };
}

function check(key: string, value: unknown, schema: PropertySchema): string | undefined {
  if (schema.type === 'integer') {
    if (typeof value !== 'number' || !Number.isSafeInteger(value))
      return `"${key}" must be an integer`;
    if (schema.minimum !== undefined && value < schema.minimum)
      return `"${key}" must be at least ${schema.minimum}`;
    if (schema.maximum !== undefined && value > schema.maximum)
      return `"${key}" must be at most ${schema.maximum}`;
    return undefined;
  }
  if (typeof value !== 'string') return `"${key}" must be a string`;
  const length = [...value].length;
  if (schema.minLength !== undefined && length < schema.minLength)
    return `"${key}" must not be empty`;
  if (schema.maxLength !== undefined && length > schema.maxLength)
    return `"${key}" must be at most ${schema.maxLength} characters`;
  return undefined;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Untrusted text made storable: PostgreSQL refuses NUL in text and lone
 * surrogates in jsonb, and either would fail a whole turn's transaction.
 */
export function storable(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD').replaceAll('\u0000', '');
}

/** At most `max` code points of untrusted text, for records and messages. */
export function preview(text: unknown, max = 200): string {
  const value = typeof text === 'string' ? text : (JSON.stringify(text ?? null) ?? '');
  let out = '';
  let count = 0;
  for (const point of storable(value.slice(0, max * 2 + 2))) {
    if (count === max) return `${out}…`;
    out += point;
    count++;
  }
  return out;
}
