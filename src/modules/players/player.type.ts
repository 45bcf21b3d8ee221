import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { CharacterClass } from './character-class';

@ObjectType('Stats', {
  description: "A character's attributes (base values plus what is equipped).",
})
export class StatsModel {
  @Field(() => Int, { description: 'Melee damage and carrying capacity.' })
  strength!: number;

  @Field(() => Int, { description: 'Accuracy, evasion and initiative.' })
  dexterity!: number;

  @Field(() => Int, { description: 'Spell power and mana.' })
  intelligence!: number;

  @Field(() => Int, { description: 'Health and resistance.' })
  constitution!: number;

  @Field(() => Int, { description: 'Healing, perception and willpower.' })
  wisdom!: number;

  @Field(() => Int, { description: 'Prices and persuasion.' })
  charisma!: number;
}

@ObjectType('Player', { description: 'A character owned by the signed-in user.' })
export class PlayerModel {
  @Field(() => ID, { description: 'Unique id (UUID).' })
  id!: string;

  @Field({ description: 'The name shown to everyone; unique among living characters.' })
  characterName!: string;

  @Field(() => CharacterClass, { description: 'Class, chosen at creation.' })
  characterClass!: CharacterClass;

  @Field(() => Int, { description: 'Current level, from 1.' })
  level!: number;

  @Field(() => Int, { description: 'Total experience earned.' })
  experience!: number;

  @Field(() => Int, { description: 'Current health, between 0 and maxHealth.' })
  health!: number;

  @Field(() => Int, { description: 'Maximum health.' })
  maxHealth!: number;

  @Field(() => Int, { description: 'Current mana, between 0 and maxMana.' })
  mana!: number;

  @Field(() => Int, { description: 'Maximum mana.' })
  maxMana!: number;

  @Field(() => Int, { description: 'Gold carried; never negative.' })
  gold!: number;

  // stats (with equipment bonuses), inventory, carryWeight, carryCapacity: inventory module resolvers.

  @Field({ description: 'When the character was created.' })
  createdAt!: Date;
}

@ObjectType('PlayerSummary', { description: 'All that other users see of a character.' })
export class PlayerSummaryModel {
  @Field(() => ID, { description: 'Unique id (UUID).' })
  id!: string;

  @Field({ description: 'The character name.' })
  characterName!: string;

  @Field(() => CharacterClass, { description: 'Class.' })
  characterClass!: CharacterClass;

  @Field(() => Int, { description: 'Level.' })
  level!: number;
}
