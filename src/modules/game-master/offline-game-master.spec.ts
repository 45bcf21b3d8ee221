import type { GameContext } from './game-context.service';
import { offlineTurn, suggestionsFor } from './offline-game-master';

const context: GameContext = {
  character: {
    id: 'p1',
    name: 'Aria',
    characterClass: 'MAGE',
    level: 1,
    experience: 0,
    experienceToNextLevel: 100,
    health: 80,
    maxHealth: 80,
    mana: 60,
    maxMana: 60,
    gold: 25,
  },
  location: {
    id: 'woodsedge',
    name: 'Woodsedge',
    region: 'Whispering Woods',
    description: 'Trees.',
  },
  exits: [
    { id: 'hunters-lodge', name: "Hunter's Lodge" },
    { id: 'whispering-glade', name: 'The Whispering Glade' },
    { id: 'millbrook-square', name: 'Millbrook Square' },
  ],
  npcs: [
    { id: 'fenwick-thorne', name: 'Fenwick Thorne', role: 'HUNTER', description: 'A hunter.' },
  ],
  othersHere: [],
  inventory: [
    {
      itemId: 'i1',
      name: 'Health Potion',
      type: 'CONSUMABLE',
      rarity: 'COMMON',
      quantity: 3,
      equippedSlot: null,
    },
  ],
  activeQuests: [],
};

const calls = (input: string) =>
  offlineTurn(context, input).toolCalls.map((c) => [c.name, JSON.parse(c.arguments)]);

describe('offline game master', () => {
  it.each([
    ['go to the whispering glade', [['travel', { locationId: 'whispering-glade' }]]],
    ['I walk to the Hunters Lodge', [['travel', { locationId: 'hunters-lodge' }]]],
    ['Millbrook Square', [['travel', { locationId: 'millbrook-square' }]]],
    ['go to the moon', []],
    ['head back to the village', [['travel', { locationId: 'millbrook-square' }]]],
    ['talk to fenwick', [['talk_to_npc', { npcId: 'fenwick-thorne' }]]],
    ['attack the wolf', [['start_combat', { enemy: 'wolf' }]]],
    ['attack the goblin', []],
    ['drink a potion', [['use_item', { itemId: 'i1' }]]],
    ['gather herbs', [['give_item', { itemName: 'Healing Herb', quantity: 1 }]]],
    ['ask for a quest', [['offer_quest', {}]]],
    ['look', []],
    ['inventory', []],
    ['dance a jig', []],
  ])('"%s" proposes %j', (input, expected) => {
    expect(calls(input)).toEqual(expected);
  });

  it('narrates from the real state and suggests what to do next', () => {
    expect(offlineTurn(context, 'look').content).toContain('The Whispering Glade');
    expect(offlineTurn(context, 'inventory').content).toContain('3 × Health Potion');
    expect(suggestionsFor(context)).toEqual(
      expect.arrayContaining(['look around', "go to Hunter's Lodge", 'talk to Fenwick Thorne']),
    );
  });

  it('proposes nothing that needs life for a character with none left', () => {
    const down = { ...context, character: { ...context.character, health: 0 } };
    expect(offlineTurn(down, 'go to the glade').toolCalls).toEqual([]);
  });
});
