import { ArgsType, Field, InputType } from '@nestjs/graphql';
import { Transform, Type } from 'class-transformer';
import { IsEnum, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { ConnectionArgs } from '../../../common/graphql/connection';
import { ITEM_LIMITS } from '../item-rules';
import { EquipmentSlot, ItemType, Rarity } from '../item.enums';

@InputType({ description: 'Narrows the catalogue; every field given must match.' })
export class ItemFilter {
  @Field(() => ItemType, { nullable: true, description: 'Only items of this type.' })
  @IsOptional()
  @IsEnum(ItemType)
  type?: ItemType;

  @Field(() => Rarity, { nullable: true, description: 'Only items of this rarity.' })
  @IsOptional()
  @IsEnum(Rarity)
  rarity?: Rarity;

  @Field(() => EquipmentSlot, { nullable: true, description: 'Only items for this slot.' })
  @IsOptional()
  @IsEnum(EquipmentSlot)
  slot?: EquipmentSlot;

  @Field({
    nullable: true,
    description: `Only items whose name contains this text, ignoring case (at most ${ITEM_LIMITS.nameMax} characters; % and _ are plain characters). Blank means no filter.`,
  })
  @Transform(({ value }) => (typeof value === 'string' ? value.normalize('NFC').trim() : value))
  @IsOptional()
  @IsString()
  @MaxLength(ITEM_LIMITS.nameMax, {
    message: `filter.search must be at most ${ITEM_LIMITS.nameMax} characters`,
  })
  search?: string;
}

@ArgsType()
export class ItemsArgs extends ConnectionArgs {
  @Field(() => ItemFilter, { nullable: true, description: 'What to list; all items when omitted.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ItemFilter)
  filter?: ItemFilter;
}
