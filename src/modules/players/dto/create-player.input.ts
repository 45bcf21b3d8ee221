import { Field, InputType } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsEnum, IsString, Length, Matches } from 'class-validator';
import { CharacterClass } from '../character-class';

@InputType({ description: 'A new character.' })
export class CreatePlayerInput {
  @Field({
    description:
      "2 to 24 characters: letters, spaces, apostrophes and hyphens, starting with a letter. Unique (case-insensitive) among living characters.",
  })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().replace(/\s+/g, ' ') : value))
  @IsString()
  @Length(2, 24, { message: 'characterName must be 2 to 24 characters' })
  @Matches(/^\p{L}[\p{L}\p{M}' -]*$/u, {
    message: 'characterName may hold only letters, spaces, apostrophes and hyphens, starting with a letter',
  })
  characterName!: string;

  @Field(() => CharacterClass, { description: 'The class; it sets base stats, health and mana.' })
  @IsEnum(CharacterClass)
  characterClass!: CharacterClass;
}
