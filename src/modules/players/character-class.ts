import { registerEnumType } from '@nestjs/graphql';

export enum CharacterClass {
  WARRIOR = 'WARRIOR',
  MAGE = 'MAGE',
  ROGUE = 'ROGUE',
  CLERIC = 'CLERIC',
  RANGER = 'RANGER',
}

registerEnumType(CharacterClass, {
  name: 'CharacterClass',
  description: 'A character class: it sets base stats, health and mana.',
  valuesMap: {
    WARRIOR: { description: 'Strong and hardy front-line fighter.' },
    MAGE: { description: 'Frail caster with a deep pool of mana.' },
    ROGUE: { description: 'Quick, sly and hard to pin down.' },
    CLERIC: { description: 'Wise healer who can hold a line.' },
    RANGER: { description: 'Steady shot at home in the wild.' },
  },
});

export interface BaseStats {
  strength: number;
  dexterity: number;
  intelligence: number;
  constitution: number;
  wisdom: number;
  charisma: number;
}

export interface ClassTemplate {
  stats: BaseStats;
  maxHealth: number;
  maxMana: number;
}

/** Level-1 figures per class. Health and mana grow with level (see progression.ts). */
export const CLASS_TEMPLATES: Record<CharacterClass, ClassTemplate> = {
  WARRIOR: {
    stats: {
      strength: 15,
      dexterity: 10,
      intelligence: 6,
      constitution: 14,
      wisdom: 8,
      charisma: 9,
    },
    maxHealth: 120,
    maxMana: 30,
  },
  MAGE: {
    stats: {
      strength: 6,
      dexterity: 10,
      intelligence: 16,
      constitution: 8,
      wisdom: 12,
      charisma: 10,
    },
    maxHealth: 70,
    maxMana: 120,
  },
  ROGUE: {
    stats: {
      strength: 8,
      dexterity: 16,
      intelligence: 10,
      constitution: 10,
      wisdom: 8,
      charisma: 13,
    },
    maxHealth: 90,
    maxMana: 50,
  },
  CLERIC: {
    stats: {
      strength: 10,
      dexterity: 8,
      intelligence: 10,
      constitution: 12,
      wisdom: 16,
      charisma: 11,
    },
    maxHealth: 100,
    maxMana: 90,
  },
  RANGER: {
    stats: {
      strength: 10,
      dexterity: 15,
      intelligence: 8,
      constitution: 12,
      wisdom: 12,
      charisma: 8,
    },
    maxHealth: 100,
    maxMana: 60,
  },
};

export const STARTING_GOLD = 25;
