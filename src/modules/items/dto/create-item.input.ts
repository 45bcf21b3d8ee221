import { Field, Float, InputType, Int } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import {
  IsEnum,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateBy,
} from 'class-validator';
import { GraphQLJSON } from 'graphql-scalars';
import { CodePointLength } from '../../../common/validation/code-point-length';
import { ITEM_LIMITS } from '../item-rules';
import { EquipmentSlot, ItemType, Rarity } from '../item.enums';

const L = ITEM_LIMITS;

/** One spelling per name: NFC, trimmed, inner whitespace collapsed. */
export function normaliseItemName(value: unknown): unknown {
  return typeof value === 'string' ? value.normalize('NFC').trim().replace(/\s+/g, ' ') : value;
}

/**
 * Whole hundredths, as numeric(7,2) stores them. (IsNumber's maxDecimalPlaces
 * reads the printed form, so 1e-7 would pass and be rounded away.)
 */
function Hundredths(message: string): PropertyDecorator {
  return ValidateBy(
    {
      name: 'hundredths',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'number' && Math.round(value * 100) / 100 === value,
      },
    },
    { message },
  );
}

@InputType({ description: 'A new catalogue item (admins only).' })
export class CreateItemInput {
  @Field({
    description: `${L.nameMin} to ${L.nameMax} characters: letters, digits, spaces and ' , . : -, starting with a letter or digit. Unique, case-insensitively.`,
  })
  @Transform(({ value }) => normaliseItemName(value))
  @IsString()
  @CodePointLength(L.nameMin, L.nameMax, `name must be ${L.nameMin} to ${L.nameMax} characters`)
  @Matches(/^[\p{L}\p{N}][\p{L}\p{M}\p{N}' ,.:-]*$/u, {
    message:
      "name may hold only letters, digits, spaces and ' , . : -, starting with a letter or digit",
  })
  name!: string;

  @Field({ description: `What the item is, 1 to ${L.descriptionMax} characters.` })
  @Transform(({ value }) => (typeof value === 'string' ? value.normalize('NFC').trim() : value))
  @IsString()
  @CodePointLength(1, L.descriptionMax, `description must be 1 to ${L.descriptionMax} characters`)
  description!: string;

  @Field(() => ItemType, { description: 'The kind of item; it decides slot and effects.' })
  @IsEnum(ItemType)
  type!: ItemType;

  @Field(() => Rarity, { description: 'How rare it is.' })
  @IsEnum(Rarity)
  rarity!: Rarity;

  @Field(() => Int, { description: `Price in gold, 0 to ${L.valueMax}.` })
  @IsInt()
  @Min(0)
  @Max(L.valueMax)
  value!: number;

  @Field(() => Float, {
    description: `Weight of one unit in pounds, 0 to ${L.weightMax}, at most two decimals.`,
  })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Hundredths('weight must have at most two decimals')
  @Min(0)
  @Max(L.weightMax)
  weight!: number;

  @Field(() => EquipmentSlot, {
    nullable: true,
    description:
      'Required for WEAPON (MAIN_HAND, OFF_HAND) and ARMOR (OFF_HAND, HEAD, CHEST, HANDS, LEGS, FEET, BACK); optional for MISC (RING, AMULET); not allowed otherwise.',
  })
  @IsOptional()
  @IsEnum(EquipmentSlot)
  slot?: EquipmentSlot | null;

  @Field(() => GraphQLJSON, {
    nullable: true,
    description:
      'Bonuses while equipped (items with a slot only): non-zero integers keyed by strength, dexterity, intelligence, constitution, wisdom, charisma (-50 to 50), maxHealth or maxMana (-500 to 500). Default `{}`.',
  })
  @IsOptional()
  stats?: unknown;

  @Field(() => GraphQLJSON, {
    nullable: true,
    description:
      'What one use does (CONSUMABLE only, which needs at least one; at most 4): `{"type": "heal", "amount": 1..1000}`, `{"type": "restoreMana", "amount": 1..1000}` or `{"type": "buff", "stat": attribute, "amount": 1..50, "turns": 1..100}`. Default `[]`.',
  })
  @IsOptional()
  effects?: unknown;
}
