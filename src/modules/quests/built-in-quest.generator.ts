import { Injectable } from '@nestjs/common';
import { ItemType } from '../items/item.enums';
import { NpcRole } from '../world/npc-role';
import { ObjectiveKind } from './quest.enums';
import type {
  CatalogueEntry,
  ObjectiveProposal,
  QuestContext,
  QuestGenerator,
  QuestProposal,
} from './quest-generator';
import { QUEST_LIMITS } from './quest-rules';
import { SeededRandom } from './seeded-random';

type Place = QuestContext['locations'][number];
type Person = QuestContext['npcs'][number];
type Enemy = QuestContext['enemies'][number];
type Theme = 'FETCH' | 'EXPLORE' | 'SOCIAL' | 'HUNT' | 'MIXED';

/** What the player's hint names, as far as the world knows it. */
interface Wish {
  theme?: Theme;
  place?: Place;
  person?: Person;
  item?: CatalogueEntry;
  enemy?: Enemy;
}

const THEME_WORDS: Record<Exclude<Theme, 'MIXED'>, string[]> = {
  FETCH: ['collect', 'gather', 'fetch', 'bring', 'deliver', 'forage', 'supplies'],
  EXPLORE: ['explore', 'travel', 'journey', 'scout', 'discover', 'visit', 'wander'],
  SOCIAL: ['talk', 'speak', 'ask', 'meet', 'message', 'news', 'gossip', 'rumour', 'rumor'],
  HUNT: ['hunt', 'kill', 'slay', 'defeat', 'fight', 'battle', 'monster', 'beast', 'bounty'],
};

const STOP_WORDS = new Set(['the', 'and', 'for', 'with', 'from', 'old']);

/**
 * The deterministic built-in game master for quests: it writes varied quests
 * from the real map, NPCs and catalogue. The same character, quest count and
 * hint always give the same quest; the next quest count gives another one.
 */
@Injectable()
export class BuiltInQuestGenerator implements QuestGenerator {
  readonly source = 'built-in' as const;

  propose(context: QuestContext): Promise<QuestProposal> {
    return Promise.resolve(writeQuest(context));
  }
}

export function writeQuest(ctx: QuestContext): QuestProposal {
  const rng = new SeededRandom(`${ctx.player.id}|${ctx.questCount}|${ctx.hint ?? ''}`);
  const wish = readHint(ctx);
  const level = ctx.player.level;
  const here = ctx.locations.find((l) => l.id === ctx.player.locationId);
  // Higher levels are sent further afield.
  const reach = 2 + Math.floor(level / 3);
  const elsewhere = ctx.locations.filter((l) => l.distance > 0);
  const places = preferring(elsewhere, (l) => l.distance <= reach);
  const placeOf = (npc: Person) => ctx.locations.find((l) => l.id === npc.locationId);
  const people = preferring(ctx.npcs, (n) => (placeOf(n)?.distance ?? Infinity) <= reach);
  const materials = ctx.collectable.filter((i) => i.type !== ItemType.QUEST);
  const wantedItem =
    wish.item && ctx.collectable.some((i) => i.id === wish.item!.id) ? wish.item : undefined;

  const themes: Theme[] = ['FETCH', 'EXPLORE', 'SOCIAL', 'HUNT', 'MIXED'].filter(
    (t) => t !== 'FETCH' || materials.length > 0 || wantedItem !== undefined,
  ) as Theme[];
  // Themes take turns from a starting point of the character's own, so any few quests in a row differ.
  const turn = (new SeededRandom(ctx.player.id).int(0, 1000) + ctx.questCount) % themes.length;
  const theme: Theme =
    wish.theme && themes.includes(wish.theme)
      ? wish.theme
      : wantedItem
        ? 'FETCH'
        : wish.enemy
          ? 'HUNT'
          : wish.person
            ? 'SOCIAL'
            : wish.place
              ? 'EXPLORE'
              : themes[turn];

  const giver =
    wish.person ??
    rng.pick(
      preferring(people, (n) =>
        [NpcRole.QUEST_GIVER, NpcRole.MERCHANT, NpcRole.HUNTER, NpcRole.HEALER].includes(n.role),
      ),
    );
  const giverPlace = placeOf(giver);

  const objectives: ObjectiveProposal[] = [];
  const visit = (place: Place) => {
    if (place.distance === 0) return; // arriving is what counts, so never "go where you stand"
    if (objectives.some((o) => o.kind === ObjectiveKind.VISIT && o.locationId === place.id)) return;
    objectives.push({ kind: ObjectiveKind.VISIT, locationId: place.id });
  };
  const talk = (npc: Person) => {
    if (objectives.some((o) => o.kind === ObjectiveKind.TALK && o.npcId === npc.id)) return;
    objectives.push({ kind: ObjectiveKind.TALK, npcId: npc.id });
  };
  const collect = (item: CatalogueEntry) => {
    const most = item.type === ItemType.QUEST ? 1 : Math.min(ctx.limits.maxCollect, 3 + level);
    const quantity = rng.int(1, most);
    objectives.push({ kind: ObjectiveKind.COLLECT, itemId: item.id, quantity });
    return quantity;
  };
  const defeat = (enemy: Enemy) => {
    const count = rng.int(2, Math.min(ctx.limits.maxDefeat, 3 + level));
    objectives.push({ kind: ObjectiveKind.DEFEAT, enemyKind: enemy.kind, count });
    return count;
  };

  let title: string;
  const lines: string[] = [];
  switch (theme) {
    case 'FETCH': {
      const item =
        wantedItem ?? rng.pick(preferring(materials, (i) => i.type === ItemType.MATERIAL));
      const quantity = collect(item);
      if (wish.place) visit(wish.place);
      if (rng.chance(0.35)) talk(giver);
      title = rng.pick([
        `${item.name} for ${giver.name}`,
        `${firstName(giver)}'s Request`,
        `A Shortage of ${item.name}`,
        `${item.name} Wanted`,
      ]);
      lines.push(
        `${giver.name}${giverPlace ? ` at ${giverPlace.name}` : ''} needs ${quantity} × ${item.name}.`,
        rng.pick([
          '"Supplies are thin and the roads are long," they say. "I would not ask if I had another way."',
          '"Bring them to me and I will make it worth your while."',
          '"I pay fair and I pay in coin. Do not keep me waiting."',
        ]),
      );
      break;
    }
    case 'EXPLORE': {
      const targets = wish.place
        ? [wish.place, ...rng.sample(places, rng.int(0, 1))]
        : rng.sample(places, rng.int(1, 3));
      for (const place of targets) visit(place);
      const first = targets[0];
      title = rng.pick([
        `The Road to ${first.name}`,
        `Scouting the ${first.region}`,
        `Word from ${first.name}`,
        `Beyond ${here?.name ?? 'the Square'}`,
      ]);
      lines.push(
        `${giver.name} wants to know what is happening out at ${listOf(
          unique(targets).map((t) => t.name),
        )}.`,
        rng.pick([
          'Travellers have stopped coming back with news. See it with your own eyes.',
          'Old maps are unreliable. Walk the way yourself and report what you find.',
          'Strange lights have been seen there at night. Someone should take a look.',
        ]),
      );
      break;
    }
    case 'SOCIAL': {
      const first = wish.person ?? giver;
      const who = [
        first,
        ...rng.sample(
          people.filter((n) => n.id !== first.id),
          rng.int(0, 1),
        ),
      ];
      for (const npc of who) {
        const at = placeOf(npc);
        if (at && rng.chance(0.5)) visit(at);
        talk(npc);
      }
      title = rng.pick([
        `A Word with ${first.name}`,
        `Messages for ${firstName(first)}`,
        'Rumours and Answers',
        'The Gossip Trail',
      ]);
      lines.push(
        `Someone has to carry word to ${listOf(who.map((n) => n.name))}.`,
        rng.pick([
          'What they know could settle a matter that has troubled the village for weeks.',
          'Ask them what they have seen, and listen closely.',
          'Old debts and older secrets: tread carefully.',
        ]),
      );
      break;
    }
    case 'HUNT': {
      // An enemy that roams within reach, and maybe a place of its region to hunt it.
      const regions = new Set(places.map((p) => p.region));
      const enemy =
        wish.enemy ??
        rng.pick(preferring(ctx.enemies, (e) => e.regions.some((r) => regions.has(r))));
      const count = defeat(enemy);
      const haunts = places.filter((p) => enemy.regions.includes(p.region));
      const lair = wish.place ?? (haunts.length && rng.chance(0.6) ? rng.pick(haunts) : undefined);
      if (lair) visit(lair);
      const name = capitalise(enemy.kind);
      title = rng.pick([`${name} Trouble`, `A Bounty on the ${name}`, `Cull of the ${name}`]);
      lines.push(
        `${giver.name} has posted a bounty: ${count} × ${enemy.kind}${lair ? `, last seen near ${lair.name}` : ''}.`,
        rng.pick([
          'The roads are not safe until they are dealt with.',
          'Livestock has gone missing, and a shepherd did not come home.',
          'Bring proof of the deed and the bounty is yours.',
        ]),
      );
      break;
    }
    case 'MIXED': {
      const place = wish.place ?? rng.pick(places);
      visit(place);
      const parts = rng.sample(['COLLECT', 'TALK', 'DEFEAT'] as const, rng.int(1, 2));
      for (const part of parts) {
        if (part === 'COLLECT' && (wantedItem || materials.length))
          collect(wantedItem ?? rng.pick(materials));
        if (part === 'TALK') talk(wish.person ?? giver);
        if (part === 'DEFEAT') defeat(wish.enemy ?? rng.pick(ctx.enemies));
      }
      title = rng.pick([
        `Trouble at ${place.name}`,
        `The ${place.region} Errand`,
        `${firstName(giver)}'s Favour`,
      ]);
      lines.push(
        `${giver.name} has a task that will take you to ${place.name}.`,
        rng.pick([
          'It is not one job but several, and none of them can wait.',
          'Do it well, and word of it will spread.',
          'Be quick, be careful, and do not ask too many questions.',
        ]),
      );
      break;
    }
  }
  if (objectives.length === 0) visit(rng.pick(places));

  return {
    title: fit(title, QUEST_LIMITS.titleMax),
    description: fit(lines.join(' '), QUEST_LIMITS.descriptionMax),
    objectives: objectives.slice(0, ctx.limits.maxObjectives),
    rewards: rewardsFor(ctx, rng, objectives.length, wish),
  };
}

function rewardsFor(
  ctx: QuestContext,
  rng: SeededRandom,
  objectives: number,
  wish: Wish,
): QuestProposal['rewards'] {
  const { maxExperience, maxGold, maxRewardItemQuantity } = ctx.limits;
  // More objectives, more pay; never past the level's caps.
  const effort = Math.min(1, 0.45 + 0.1 * objectives + rng.next() * 0.15);
  const experience = Math.max(1, Math.min(maxExperience, Math.round(maxExperience * effort)));
  const gold = Math.min(maxGold, Math.round(maxGold * (0.2 + rng.next() * 0.5)));
  // A hint naming gear (not something to collect) asks for it as the reward.
  const asked =
    wish.item &&
    ctx.rewardable.some((i) => i.id === wish.item!.id) &&
    !ctx.collectable.some((i) => i.id === wish.item!.id)
      ? wish.item
      : undefined;
  const reward =
    asked ??
    (ctx.rewardable.length > 0 && rng.chance(0.5)
      ? rng.pick(preferring(ctx.rewardable, (i) => i.type === ItemType.CONSUMABLE))
      : undefined);
  const items = reward
    ? [
        {
          itemId: reward.id,
          quantity:
            reward.type === ItemType.CONSUMABLE
              ? rng.int(1, Math.min(2, maxRewardItemQuantity))
              : 1,
        },
      ]
    : [];
  return { experience, gold, items };
}

/** What the hint names: a place, a person, an item, an enemy, a kind of quest. */
function readHint(ctx: QuestContext): Wish {
  if (!ctx.hint) return {};
  const hint = ctx.hint.toLowerCase();
  const words = new Set(hint.split(/[^\p{L}\p{N}]+/u).filter(Boolean));
  const has = (w: string) =>
    words.has(w) ||
    words.has(`${w}s`) ||
    words.has(`${w}es`) ||
    (w.endsWith('s') && words.has(w.slice(0, -1)));
  // Names are matched word by word, so "wolf pelts" means the pelts more than the wolf.
  const score = (name: string, id?: string) =>
    (id && hint.includes(id) ? 10 : 0) +
    name
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter((w) => w.length >= 3 && !STOP_WORDS.has(w) && has(w)).length;
  const best = <T>(list: readonly T[], nameOf: (t: T) => string, idOf?: (t: T) => string) => {
    let top: { entry: T; score: number } | undefined;
    for (const entry of list) {
      const s = score(nameOf(entry), idOf?.(entry));
      if (s > (top?.score ?? 0)) top = { entry, score: s };
    }
    return top;
  };
  const found = {
    place: best(
      ctx.locations.filter((l) => l.distance > 0),
      (l) => l.name,
      (l) => l.id,
    ),
    person: best(
      ctx.npcs,
      (n) => n.name,
      (n) => n.id,
    ),
    item: best([...ctx.collectable, ...ctx.rewardable], (i) => i.name),
    enemy: best(ctx.enemies, (e) => e.kind),
  };
  // Only the best matches count: "the elder oak" is a place, not Elder Rowan.
  const top = Math.max(0, ...Object.values(found).map((f) => f?.score ?? 0));
  const keep = <T>(f: { entry: T; score: number } | undefined) =>
    f && f.score === top ? f.entry : undefined;
  return {
    theme: (Object.keys(THEME_WORDS) as (keyof typeof THEME_WORDS)[]).find((t) =>
      THEME_WORDS[t].some(has),
    ),
    place: keep(found.place),
    person: keep(found.person),
    item: keep(found.item),
    enemy: keep(found.enemy),
  };
}

/** The entries that pass, or all of them when none does. */
function preferring<T>(list: readonly T[], test: (t: T) => boolean): readonly T[] {
  const preferred = list.filter(test);
  return preferred.length ? preferred : list;
}

function unique<T>(list: readonly T[]): T[] {
  return [...new Set(list)];
}

function firstName(npc: Person): string {
  const words = npc.name.split(' ');
  // "Elder Rowan Ashby" → "Rowan"; "Salty Meg" → "Meg".
  return words.length > 2 ? words[1] : words[words.length - 1];
}

function capitalise(text: string): string {
  return text.replace(/(^|\s)\p{L}/gu, (c) => c.toUpperCase());
}

function listOf(names: string[]): string {
  return names.length <= 1
    ? (names[0] ?? '')
    : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** Cut at a word boundary, so admin-made names of any length never push a text past its limit. */
function fit(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return `${chars
    .slice(0, max - 1)
    .join('')
    .replace(/\s+\S*$/, '')}…`;
}
