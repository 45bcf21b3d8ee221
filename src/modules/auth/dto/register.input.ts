import { Field, InputType } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, Matches, MaxLength } from 'class-validator';
import { IsStrongPassword } from '../password-policy';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

@InputType({ description: 'A new account.' })
export class RegisterInput {
  @Field({ description: '3 to 32 characters: letters, digits, underscores, dots and hyphens.' })
  @Transform(trim)
  @IsString()
  @Length(3, 32, { message: 'username must be 3 to 32 characters' })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, {
    message:
      'username may hold only letters, digits, underscores, dots and hyphens, starting with a letter or digit',
  })
  username!: string;

  @Field({ description: 'A valid email address (at most 254 characters).' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'email must be a valid email address' })
  email!: string;

  @Field({
    description:
      '10 to 128 characters, with letters and at least one digit or symbol; not a common password.',
  })
  @IsString()
  @IsStrongPassword()
  password!: string;
}

@InputType({ description: 'Credentials.' })
export class LoginInput {
  @Field({ description: 'Username or email.' })
  @Transform(trim)
  @IsString()
  @Length(1, 254)
  login!: string;

  @Field({ description: 'Password.' })
  @IsString()
  @Length(1, 128)
  password!: string;
}
