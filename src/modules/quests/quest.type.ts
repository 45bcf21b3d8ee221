import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { ObjectiveKind, QuestStatus, QuestType } from './quest.enums';

@ObjectType('QuestObjective', {
  description:
    'One thing a quest asks for, and how far along it is. Exactly one target is set, by `kind`: `location` (VISIT), `item` (COLLECT), `npc` (TALK) or `enemyKind` (DEFEAT).',
})
export class QuestObjectiveModel {
  @Field(() => Int, {
    description: 'Position in `Quest.objectives`, from 0 (`objective` in QUEST_PROGRESS).',
  })
  index!: number;

  @Field(() => ObjectiveKind, { description: 'What the objective asks for.' })
  kind!: ObjectiveKind;

  @Field({ description: 'What to do, in words, e.g. "Collect 3 × Wolf Pelt".' })
  description!: string;

  @Field(() => Int, {
    description:
      'Progress so far, from 0 to `required`. For COLLECT it is how many of the item the character holds now (capped at `required`).',
  })
  current!: number;

  @Field(() => Int, {
    description: 'How much is needed: 1 for VISIT and TALK, the quantity or count otherwise.',
  })
  required!: number;

  @Field({ description: 'True when `current` has reached `required`.' })
  done!: boolean;

  @Field(() => ID, { nullable: true, description: 'VISIT: the location to reach (`Location.id`).' })
  locationId?: string | null;

  @Field(() => ID, { nullable: true, description: 'COLLECT: the item to hold (`Item.id`).' })
  itemId?: string | null;

  @Field(() => ID, { nullable: true, description: 'TALK: the NPC to talk to (`Npc.id`).' })
  npcId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'DEFEAT: the kind of enemy, lower-case, e.g. "wolf" or "giant spider".',
  })
  enemyKind?: string | null;
}

@ObjectType('QuestRewardItem', { description: 'Items a quest pays on completion.' })
export class QuestRewardItemModel {
  @Field(() => ID, { description: 'The item (`Item.id`).' })
  itemId!: string;

  @Field(() => Int, { description: 'How many.' })
  quantity!: number;
}

@ObjectType('QuestRewards', {
  description:
    "What completing a quest pays, once. Capped by the character's level when the quest is written: experience ≤ 100 × level + 50, gold ≤ 50 × level, at most 2 items whose rarity fits the level (RARE from level 5, EPIC from 10, LEGENDARY from 20).",
})
export class QuestRewardsModel {
  @Field(() => Int, { description: 'Experience (it may bring level-ups).' })
  experience!: number;

  @Field(() => Int, { description: 'Gold.' })
  gold!: number;

  @Field(() => [QuestRewardItemModel], { description: 'Catalogue items added to the inventory.' })
  items!: QuestRewardItemModel[];
}

@ObjectType('Quest', {
  description:
    'A quest of one of your characters, written by the game master and checked by the server against the world, the catalogue and the level caps before it was saved.',
})
export class QuestModel {
  @Field(() => ID, { description: 'Unique id (UUID).' })
  id!: string;

  @Field({ description: 'A short title, 3 to 80 characters.' })
  title!: string;

  @Field({ description: 'The story of the quest, 10 to 1000 characters.' })
  description!: string;

  @Field(() => QuestType, { description: 'What the quest is mostly about (from its objectives).' })
  type!: QuestType;

  @Field(() => QuestStatus, { description: 'Where the quest stands in its life cycle.' })
  status!: QuestStatus;

  // progress, objectives and rewards: QuestsResolver (computed from the stored documents).

  @Field({ description: 'When the quest was offered.' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When the quest was accepted; null before.' })
  acceptedAt?: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When the quest was completed (and its rewards paid); null otherwise.',
  })
  completedAt?: Date | null;
}
