import { Field, InputType } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsEnum, IsString, Matches } from 'class-validator';
import { CodePointLength } from '../../../common/validation/code-point-length';
import { CharacterClass } from '../character-class';

@InputType({ description: 'A new character.' })
export class CreatePlayerInput {
  @Field({
    description:
      '2 to 24 characters: letters, spaces, apostrophes and hyphens, starting with a letter. Unique (case-insensitive) among living characters.',
  })
  // NFC first, so one name has one spelling (a precomposed "É" and "E" + combining accent are the same name).
  @Transform(({ value }) =>
    typeof value === 'string' ? value.normalize('NFC').trim().replace(/\s+/g, ' ') : value,
  )
  @IsString()
  @CodePointLength(2, 24, 'characterName must be 2 to 24 characters')
  @Matches(/^\p{L}[\p{L}\p{M}' -]*$/u, {
    message:
      'characterName may hold only letters, spaces, apostrophes and hyphens, starting with a letter',
  })
  characterName!: string;

  @Field(() => CharacterClass, { description: 'The class; it sets base stats, health and mana.' })
  @IsEnum(CharacterClass)
  characterClass!: CharacterClass;
}
