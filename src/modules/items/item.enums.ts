import { registerEnumType } from '@nestjs/graphql';

export enum ItemType {
  WEAPON = 'WEAPON',
  ARMOR = 'ARMOR',
  CONSUMABLE = 'CONSUMABLE',
  MATERIAL = 'MATERIAL',
  QUEST = 'QUEST',
  MISC = 'MISC',
}

export enum Rarity {
  COMMON = 'COMMON',
  UNCOMMON = 'UNCOMMON',
  RARE = 'RARE',
  EPIC = 'EPIC',
  LEGENDARY = 'LEGENDARY',
}

/** Where an item is worn or held; a character holds at most one item per slot. */
export enum EquipmentSlot {
  MAIN_HAND = 'MAIN_HAND',
  OFF_HAND = 'OFF_HAND',
  HEAD = 'HEAD',
  CHEST = 'CHEST',
  HANDS = 'HANDS',
  LEGS = 'LEGS',
  FEET = 'FEET',
  BACK = 'BACK',
  RING = 'RING',
  AMULET = 'AMULET',
}

registerEnumType(ItemType, {
  name: 'ItemType',
  description: 'What kind of thing an item is; it decides whether it can be equipped or used.',
  valuesMap: {
    WEAPON: { description: 'Held in the main or off hand; always has a slot.' },
    ARMOR: {
      description: 'Worn on the body, or a shield in the off hand; always has a slot.',
    },
    CONSUMABLE: { description: 'Used up one unit at a time; always has at least one effect.' },
    MATERIAL: { description: 'Crafting and trade goods; neither equipped nor used.' },
    QUEST: { description: 'Wanted by a quest; neither equipped nor used.' },
    MISC: {
      description: 'Everything else: tools, trinkets, and rings and amulets (RING or AMULET slot).',
    },
  },
});

registerEnumType(Rarity, {
  name: 'Rarity',
  description: 'How rare an item is, from COMMON to LEGENDARY.',
  valuesMap: {
    COMMON: { description: 'Found everywhere.' },
    UNCOMMON: { description: 'A cut above the ordinary.' },
    RARE: { description: 'Seldom seen outside the hands of veterans.' },
    EPIC: { description: 'The stuff of songs.' },
    LEGENDARY: { description: 'One of a kind, or near enough.' },
  },
});

registerEnumType(EquipmentSlot, {
  name: 'EquipmentSlot',
  description:
    'Where an equippable item goes. WEAPON items take MAIN_HAND or OFF_HAND; ARMOR takes OFF_HAND (shields), HEAD, CHEST, HANDS, LEGS, FEET or BACK; MISC may take RING or AMULET.',
  valuesMap: {
    MAIN_HAND: { description: 'The weapon hand.' },
    OFF_HAND: { description: 'The other hand: a shield or a second, light weapon.' },
    HEAD: { description: 'Helmets and hoods.' },
    CHEST: { description: 'Body armour and robes.' },
    HANDS: { description: 'Gloves and gauntlets.' },
    LEGS: { description: 'Greaves and trousers.' },
    FEET: { description: 'Boots.' },
    BACK: { description: 'Cloaks and capes.' },
    RING: { description: 'A ring.' },
    AMULET: { description: 'An amulet or pendant.' },
  },
});
