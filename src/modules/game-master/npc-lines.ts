import type { CharacterClass } from '../players/character-class';
import { NpcRole } from '../world/npc-role';

/** What an NPC knows when it answers: the real state of the character and the place. */
export interface DialogueFacts {
  npc: { id: string; name: string; role: NpcRole; description: string };
  location: { id: string; name: string; region: string };
  player: {
    characterName: string;
    characterClass: CharacterClass;
    level: number;
    health: number;
    maxHealth: number;
    gold: number;
  };
  /** How well the NPC knows the character. */
  standing: { pastExchanges: number; questsCompletedWithNpc: number };
  /** Titles of the character's active quests that send it to this NPC (an open TALK objective). */
  questsForNpc: string[];
  offeredQuests: number;
  activeQuests: number;
  /** Names of the places one step away. */
  exits: string[];
  /** Other characters standing here. */
  othersHere: string[];
  /** Goods a merchant may mention (catalogue names). */
  wares: string[];
  /** The weapon the character holds, if any. */
  weapon?: string;
  /** Enemy kinds that roam this region. */
  enemies: string[];
  /** The last exchanges with this NPC, oldest first. */
  history: { message: string; reply: string }[];
}

/** How an NPC of each role is introduced ("Odo Pennywhistle, the merchant"). */
export const ROLE_TITLE: Record<NpcRole, string> = {
  [NpcRole.MERCHANT]: 'merchant',
  [NpcRole.QUEST_GIVER]: 'quest giver',
  [NpcRole.INNKEEPER]: 'innkeeper',
  [NpcRole.BLACKSMITH]: 'blacksmith',
  [NpcRole.GUARD]: 'guard',
  [NpcRole.HEALER]: 'healer',
  [NpcRole.HUNTER]: 'hunter',
  [NpcRole.SAGE]: 'sage',
};

const ROLE_SUGGESTIONS: Record<NpcRole, string[]> = {
  [NpcRole.MERCHANT]: ['What do you have for sale?', 'Any bargains today?'],
  [NpcRole.QUEST_GIVER]: ['Do you have work for me?', 'What troubles this place?'],
  [NpcRole.INNKEEPER]: ['Heard any rumours?', 'Who else is about?'],
  [NpcRole.BLACKSMITH]: ['Can you look at my weapon?', 'What makes good steel?'],
  [NpcRole.GUARD]: ['Where do these roads lead?', 'Anything suspicious lately?'],
  [NpcRole.HEALER]: ['Can you tend my wounds?', 'What ails the folk here?'],
  [NpcRole.HUNTER]: ['What roams the wilds?', 'Any tracks worth following?'],
  [NpcRole.SAGE]: ['Tell me an old story.', 'What do the omens say?'],
};

/** Things the player might say next: the role's usual topics, a quest errand, a goodbye. */
export function suggestionsFor(facts: DialogueFacts): string[] {
  const errand = facts.questsForNpc[0];
  return [
    ...(errand ? [`I came about "${errand}".`] : []),
    ...ROLE_SUGGESTIONS[facts.npc.role],
    'Farewell.',
  ];
}

const GIFT_WORDS =
  /\b(give|gimme|gold|coins?|money|free|reward|sword|swords|items?|level|xp|experience)\b/i;
const WORK_WORDS = /\b(quests?|work|jobs?|tasks?|errands?|help)\b/i;

/**
 * The offline game master's NPC: a reply in the NPC's voice from templates and
 * the real state of the world. Deterministic for the same facts and message.
 */
export function offlineReply(facts: DialogueFacts, message: string): string {
  const { npc, player, standing } = facts;
  const title = ROLE_TITLE[npc.role];
  const greeting =
    standing.pastExchanges === 0
      ? `Well met, ${player.characterName}`
      : standing.questsCompletedWithNpc > 0
        ? `Good to see you again, ${player.characterName}, friend`
        : `Back again, ${player.characterName}`;
  const lines = [roleLine(facts)];
  if (GIFT_WORDS.test(message))
    lines.push('Words cost nothing, and words are all anyone gets from me for free.');
  else if (WORK_WORDS.test(message) && npc.role !== NpcRole.QUEST_GIVER)
    lines.push('For paid work, ask around: someone in these parts always needs a hand.');
  return `${npc.name}, the ${title}, turns to you. "${greeting}. ${lines.join(' ')}"`;
}

function roleLine(facts: DialogueFacts): string {
  const { npc, player, location } = facts;
  const errand = facts.questsForNpc[0];
  if (errand) return `So you came about "${errand}". Then hear me out, and consider it done.`;
  switch (npc.role) {
    case NpcRole.MERCHANT:
      return facts.wares.length
        ? `Have a look at my wares: ${listOf(facts.wares)}. Fair prices, mostly.`
        : 'My stall is bare today, but come back soon.';
    case NpcRole.QUEST_GIVER:
      if (facts.activeQuests > 0)
        return `You already carry ${count(facts.activeQuests, 'task')}; see ${facts.activeQuests === 1 ? 'it' : 'them'} through and come back to me.`;
      if (facts.offeredQuests > 0)
        return `There ${facts.offeredQuests === 1 ? 'is an offer' : `are ${facts.offeredQuests} offers`} waiting for your answer. Accept one and get going.`;
      return 'There is always work for steady hands around here: ask, and I will find you a task.';
    case NpcRole.INNKEEPER: {
      const company = facts.othersHere.length
        ? ` ${listOf(facts.othersHere.slice(0, 3))} ${facts.othersHere.length === 1 ? 'is' : 'are'} about, if you want company.`
        : '';
      const rumour = facts.enemies[0]
        ? `Rumour has it ${plural(facts.enemies[0])} were seen on the roads around ${location.region}.`
        : 'Quiet times, and quiet times never last.';
      return `${rumour}${company}`;
    }
    case NpcRole.BLACKSMITH:
      return facts.weapon
        ? `That ${facts.weapon} of yours has seen some use. Keep it oiled and it will keep you alive.`
        : 'No blade at your side? Out there, that is asking for trouble.';
    case NpcRole.GUARD:
      return facts.exits.length
        ? `From ${location.name} the roads lead to ${listOf(facts.exits)}. Keep to them, and keep out of trouble.`
        : 'Keep out of trouble on my watch.';
    case NpcRole.HEALER:
      return player.health < player.maxHealth
        ? `You are hurt: ${player.health} of ${player.maxHealth}. Rest, and drink a potion if you carry one.`
        : 'You look hale. May the Dawn keep you so.';
    case NpcRole.HUNTER:
      return facts.enemies.length
        ? `${capitalise(listOf(facts.enemies.map(plural)))} roam ${location.region}. Watch the trails.`
        : 'The wilds are quiet. Too quiet, if you ask me.';
    case NpcRole.SAGE:
      return `A level ${player.level} ${player.characterClass.toLowerCase()}... ${location.region} holds older stories than you. Ask, and listen.`;
  }
}

function listOf(names: string[]): string {
  return names.length <= 1
    ? (names[0] ?? '')
    : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
const plural = (kind: string) => (kind.endsWith('f') ? `${kind.slice(0, -1)}ves` : `${kind}s`);
const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
