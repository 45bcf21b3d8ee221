import type { LlmResponse } from '../../infra/llm/llm.types';
import { ENEMY_KINDS } from '../quests/enemy-kinds';
import type { GameContext } from './game-context.service';
import type { ToolName } from './game-tools';

export const OFFLINE_MODEL = 'offline';

/**
 * What can be gathered where, by the offline game master ("take", "gather"):
 * common things the place plainly offers, one unit a turn (give_item's caps apply).
 */
export const FORAGE: Readonly<Record<string, readonly string[]>> = {
  'whispering-glade': ['Healing Herb'],
  'elder-oak': ['Healing Herb'],
  'greywillow-hollow': ['Healing Herb'],
  woodsedge: ['Healing Herb'],
  'ironpeak-foothills': ['Iron Ore'],
  'deepdelve-mine': ['Iron Ore'],
};

/** Everyday words for seeded places whose names do not say what they are ("go to the inn"). */
const PLACE_WORDS: Readonly<Record<string, readonly string[]>> = {
  'gilded-tankard': ['inn', 'tavern', 'pub', 'alehouse'],
  'millbrook-square': ['square', 'village', 'town', 'fountain'],
  'millbrook-market': ['market', 'shops', 'stalls'],
  'emberfall-forge': ['forge', 'smithy', 'blacksmith'],
  'dawn-chapel': ['chapel', 'church', 'temple', 'shrine'],
  woodsedge: ['woods', 'forest'],
  'gullhaven-harbour': ['harbour', 'harbor', 'port', 'docks'],
  'eagles-watch': ['tower', 'watchtower'],
};

const ARTICLES = new Set([
  'the',
  'a',
  'an',
  'to',
  'at',
  'with',
  'into',
  'towards',
  'toward',
  'some',
  'my',
  'up',
]);

/**
 * The game master without a model: reads simple intents (look, go, talk,
 * attack, use, take, inventory, help, quest) and answers like a model would,
 * narrative from templates and real state plus the same tool calls, so its
 * turns go through the same validation and application as the model's.
 */
export function offlineTurn(context: GameContext, input: string): LlmResponse {
  const started = Date.now();
  const { narrative, calls } = interpret(context, input);
  return {
    content: narrative,
    toolCalls: calls.map((c, i) => ({
      id: `offline-${i + 1}`,
      name: c.name,
      arguments: JSON.stringify(c.args),
    })),
    model: OFFLINE_MODEL,
    usage: { promptTokens: 0, completionTokens: 0 },
    latencyMs: Date.now() - started,
    retries: 0,
    cached: false,
    finishReason: 'stop',
  };
}

/** What the player could try next, from where the character stands. */
export function suggestionsFor(context: GameContext): string[] {
  const out = ['look around'];
  for (const exit of context.exits.slice(0, 3)) out.push(`go to ${exit.name}`);
  for (const npc of context.npcs.slice(0, 2)) out.push(`talk to ${npc.name}`);
  if (FORAGE[context.location.id]) out.push(`gather ${FORAGE[context.location.id][0]}`);
  out.push('check inventory');
  if (context.activeQuests.length === 0) out.push('ask for a quest');
  return out;
}

interface Proposal {
  name: ToolName;
  args: Record<string, unknown>;
}

interface Answer {
  narrative: string;
  calls: Proposal[];
}

type Intent = (context: GameContext, rest: string, words: string[]) => Answer;

const VERBS: [string[], Intent][] = [
  [['help', '?', 'commands'], help],
  [['look', 'l', 'examine', 'observe', 'survey'], look],
  [['inventory', 'inv', 'i', 'bag', 'pack', 'items'], inventory],
  [['go', 'travel', 'walk', 'head', 'move', 'run', 'enter', 'visit', 'return'], go],
  [['talk', 'speak', 'ask', 'greet', 'chat'], talk],
  [['attack', 'fight', 'kill', 'hunt', 'strike'], attack],
  [['use', 'drink', 'eat', 'quaff', 'consume'], use],
  [['take', 'pick', 'gather', 'forage', 'collect', 'grab', 'mine'], take],
  [['quest', 'quests', 'work', 'job'], quest],
];

function interpret(context: GameContext, input: string): Answer {
  const words = normalise(input);
  if (words.length === 0) return help(context);
  const wantsWork = words.some((w) => ['quest', 'quests', 'work', 'job'].includes(w));
  if (wantsWork && !['go', 'travel', 'walk', 'head'].includes(words[0]))
    return quest(context, '', words);
  // "check my inventory", "quickly look around": the verb may come second.
  const meaningful = words.filter((w) => !ARTICLES.has(w));
  for (const skip of [0, 1]) {
    const verb = meaningful[skip];
    if (verb === undefined) break;
    for (const [names, intent] of VERBS) {
      if (names.includes(verb)) {
        const rest = meaningful.slice(skip + 1);
        return intent(context, rest.join(' '), rest);
      }
    }
  }
  // A bare place name is a wish to go there.
  const place = match(context.exits, words.filter((w) => !ARTICLES.has(w)).join(' '));
  if (place) return go(context, place.name.toLowerCase());
  return {
    narrative: `You ${quoteLine(input)}. ${context.location.name} takes little notice. (Try "help" for what you can do.)`,
    calls: [],
  };
}

const FILLERS = new Set([
  'please',
  'let',
  'lets',
  "let's",
  'we',
  'want',
  'try',
  'will',
  'shall',
  'then',
]);

function normalise(text: string): string[] {
  const words = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}?'’ ]+/gu, ' ')
    .split(/\s+/)
    .map((w) => w.replace(/^['’]+|['’]+$/g, ''))
    .filter((w) => w && !FILLERS.has(w));
  // "I go to the inn": a leading "i" is the speaker, a lone "i" the inventory.
  return words.length > 1 && words[0] === 'i' ? words.slice(1) : words;
}

function help(context: GameContext): Answer {
  return {
    narrative: [
      'You can say what your character does in your own words. The offline game master understands:',
      '"look" (around you), "go to <place>", "talk to <someone>", "attack <enemy>", "use <item>",',
      '"take <thing>" (gather what a place offers), "inventory", "ask for a quest", and "help".',
      `Right now you stand in ${context.location.name}.`,
    ].join(' '),
    calls: [],
  };
}

function look(context: GameContext): Answer {
  const { location, exits, npcs, othersHere } = context;
  const parts = [`${location.name}, ${location.region}. ${location.description}`];
  parts.push(
    exits.length
      ? `From here you can go to ${list(exits.map((e) => e.name))}.`
      : 'There is no way on from here.',
  );
  if (npcs.length)
    parts.push(`Here: ${list(npcs.map((n) => `${n.name} (${n.role.toLowerCase()})`))}.`);
  if (othersHere.length)
    parts.push(
      `Fellow adventurers: ${list(othersHere.map((p) => `${p.name} (level ${p.level})`))}.`,
    );
  const forage = FORAGE[location.id];
  if (forage) parts.push(`You could gather ${list(forage.map((f) => f.toLowerCase()))} here.`);
  return { narrative: parts.join(' '), calls: [] };
}

function inventory(context: GameContext): Answer {
  const { character, inventory: items } = context;
  const lines = items.map(
    (e) =>
      `${e.quantity} × ${e.name}${e.equippedSlot ? ` (worn, ${e.equippedSlot.toLowerCase()})` : ''}`,
  );
  return {
    narrative: `${character.name}, level ${character.level} ${character.characterClass.toLowerCase()}: health ${character.health}/${character.maxHealth}, mana ${character.mana}/${character.maxMana}, ${character.gold} gold. ${
      lines.length ? `You carry ${list(lines)}.` : 'Your pack is empty.'
    }`,
    calls: [],
  };
}

function go(context: GameContext, rest: string): Answer {
  if (!rest) return { narrative: `Go where? ${exitsLine(context)}`, calls: [] };
  const words = simplify(rest).split(' ');
  const exit =
    match(context.exits, rest) ??
    context.exits.find((e) => PLACE_WORDS[e.id]?.some((w) => words.includes(w)));
  if (!exit)
    return {
      narrative: `You look for a way to "${quoteLine(rest)}" but no road from ${context.location.name} leads there. ${exitsLine(context)}`,
      calls: [],
    };
  if (context.character.health <= 0)
    return { narrative: 'You are too badly hurt to walk anywhere.', calls: [] };
  return {
    narrative: `You leave ${context.location.name} and make your way to ${exit.name}.`,
    calls: [{ name: 'travel', args: { locationId: exit.id } }],
  };
}

function talk(context: GameContext, rest: string): Answer {
  const npc = match(context.npcs, rest) ?? (rest ? undefined : context.npcs[0]);
  if (!npc)
    return {
      narrative: context.npcs.length
        ? `No one here answers to "${quoteLine(rest)}". You could talk to ${list(context.npcs.map((n) => n.name))}.`
        : 'There is no one here to talk to.',
      calls: [],
    };
  if (context.character.health <= 0)
    return { narrative: `${npc.name} leans over you, but you are too weak to speak.`, calls: [] };
  const quest = context.activeQuests.find((q) =>
    q.objectives.some((o) => o.kind === 'TALK' && o.npcId === npc.id && !o.done),
  );
  return {
    narrative: `You talk with ${npc.name}. ${npc.description}${quest ? ` You speak of "${quest.title}", and ${npc.name} hears you out.` : ''}`,
    calls: [{ name: 'talk_to_npc', args: { npcId: npc.id } }],
  };
}

function attack(context: GameContext, rest: string): Answer {
  const roaming = ENEMY_KINDS.filter((e) => e.regions.includes(context.location.region));
  const enemy =
    roaming.find((e) => rest && (rest.includes(e.kind) || e.kind.includes(rest))) ??
    (rest ? undefined : roaming[0]);
  if (!enemy)
    return {
      narrative: rest
        ? `There is no ${quoteLine(rest)} to fight in ${context.location.region}.`
        : 'There is nothing here to fight.',
      calls: [],
    };
  if (context.character.health <= 0)
    return { narrative: 'You are in no state to fight.', calls: [] };
  return {
    narrative: `You draw your weapon: a ${enemy.kind} is on you!`,
    calls: [{ name: 'start_combat', args: { enemy: enemy.kind } }],
  };
}

function use(context: GameContext, rest: string): Answer {
  const held = context.inventory.map((e) => ({ id: e.itemId, name: e.name, type: e.type }));
  const item =
    match(held, rest) ??
    (rest.includes('potion') ? held.find((h) => /potion/i.test(h.name)) : undefined);
  if (!item)
    return {
      narrative: `You search your pack for "${quoteLine(rest)}" and come up empty.`,
      calls: [],
    };
  if (item.type !== 'CONSUMABLE')
    return {
      narrative: `You turn the ${item.name} over in your hands; it is not something to use up.`,
      calls: [],
    };
  return {
    narrative: `You use a ${item.name}.`,
    calls: [{ name: 'use_item', args: { itemId: item.id } }],
  };
}

function take(context: GameContext, rest: string): Answer {
  const offered = (FORAGE[context.location.id] ?? []).map((name) => ({ id: name, name }));
  const thing = rest ? match(offered, rest) : offered[0];
  if (!thing)
    return {
      narrative: `There is nothing like ${rest ? `"${quoteLine(rest)}"` : 'that'} to take in ${context.location.name}.`,
      calls: [],
    };
  return {
    narrative: `You search ${context.location.name} and gather some ${thing.name.toLowerCase()}.`,
    calls: [{ name: 'give_item', args: { itemName: thing.name, quantity: 1 } }],
  };
}

function quest(context: GameContext, _rest: string, words: string[]): Answer {
  const asking = words.some((w) => ['for', 'new', 'work', 'job', 'ask', 'find', 'any'].includes(w));
  if (context.activeQuests.length > 0 && !words.includes('new')) {
    const lines = context.activeQuests.map(
      (q) =>
        `"${q.title}": ${q.objectives.map((o) => `${o.description} (${o.current}/${o.required})`).join('; ')}`,
    );
    return { narrative: `Your quests: ${lines.join(' — ')}.`, calls: [] };
  }
  if (!asking)
    return {
      narrative: 'You have no quest in hand. Ask around for work ("ask for a quest").',
      calls: [],
    };
  return {
    narrative: `You ask around ${context.location.name} for work, and someone has a task for you.`,
    calls: [{ name: 'offer_quest', args: {} }],
  };
}

/** The entry whose name or id best matches the words: exact, then contained, then by word. */
function match<T extends { id: string; name: string }>(
  entries: readonly T[],
  text: string,
): T | undefined {
  const wanted = simplify(text);
  if (!wanted) return undefined;
  return (
    entries.find((e) => simplify(e.name) === wanted || e.id === wanted.replace(/ /g, '-')) ??
    entries.find((e) => simplify(e.name).includes(wanted) || wanted.includes(simplify(e.name))) ??
    entries.find((e) => {
      const words = simplify(e.name).split(' ').map(singular);
      return wanted.split(' ').some((w) => w.length > 3 && words.includes(singular(w)));
    })
  );
}

/** "herbs" finds the Healing Herb. */
function singular(word: string): string {
  return word.length > 3 && word.endsWith('s') ? word.slice(0, -1) : word;
}

function simplify(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/['’]s\b/g, 's')
    .replace(/[^\p{L}\p{N} ]+/gu, ' ')
    .split(/\s+/)
    .filter((w) => w && !ARTICLES.has(w))
    .join(' ');
}

function exitsLine(context: GameContext): string {
  return context.exits.length
    ? `From here you can go to ${list(context.exits.map((e) => e.name))}.`
    : 'There is no way on from here.';
}

function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** Player words echoed back: one line, bounded. */
function quoteLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return [...line].length > 80 ? `${[...line].slice(0, 80).join('')}…` : line;
}
