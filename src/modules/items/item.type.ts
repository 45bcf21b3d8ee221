import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { ConnectionType } from '../../common/graphql/connection';
import { EquipmentSlot, ItemType, Rarity } from './item.enums';

@ObjectType('Item', { description: 'An entry of the item catalogue.' })
export class ItemModel {
  @Field(() => ID, { description: 'Unique id (UUID); `itemId` arguments take it.' })
  id!: string;

  @Field({ description: 'The name; unique, case-insensitively.' })
  name!: string;

  @Field({ description: 'What the item is, for players to read.' })
  description!: string;

  @Field(() => ItemType, { description: 'What kind of item this is.' })
  type!: ItemType;

  @Field(() => Rarity, { description: 'How rare it is.' })
  rarity!: Rarity;

  @Field(() => Int, { description: 'Price in gold; never negative.' })
  value!: number;

  @Field(() => Float, { description: 'Weight of one unit in pounds (two decimals at most).' })
  weight!: number;

  @Field(() => EquipmentSlot, {
    nullable: true,
    description: 'Where it is equipped; null when it cannot be equipped.',
  })
  slot?: EquipmentSlot | null;

  @Field(() => GraphQLJSON, {
    description:
      'Bonuses while equipped: an object of non-zero integers keyed by strength, dexterity, intelligence, constitution, wisdom, charisma, maxHealth or maxMana, e.g. `{"strength": 2}`. `{}` when none.',
  })
  stats!: Record<string, number>;

  @Field(() => GraphQLJSON, {
    description:
      'What one use does (CONSUMABLE only): a list of `{"type": "heal", "amount": n}`, `{"type": "restoreMana", "amount": n}` or `{"type": "buff", "stat": attribute, "amount": n, "turns": n}` (raises the attribute for the next `turns` turns). `[]` when none.',
  })
  effects!: Record<string, unknown>[];
}

@ObjectType({ description: 'A page of the item catalogue, in name order.' })
export class ItemConnection extends ConnectionType(ItemModel, 'Item', 'item') {}
