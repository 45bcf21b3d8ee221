import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { Role } from './role.enum';

@ObjectType('User', { description: 'An account. It may hold several characters.' })
export class UserModel {
  @Field(() => ID, { description: 'Unique id (UUID).' })
  id!: string;

  @Field({ description: 'Unique, case-insensitively.' })
  username!: string;

  @Field({ description: 'Unique; stored lower-cased.' })
  email!: string;

  @Field(() => Role, { description: 'What the account may do.' })
  role!: Role;

  @Field({ description: 'When the account was registered.' })
  createdAt!: Date;
}

@ObjectType('AuthPayload', { description: 'A fresh pair of tokens for a session.' })
export class AuthPayload {
  @Field({
    description:
      'Short-lived JWT. Send it as `Authorization: Bearer <token>` (HTTP) or in `connectionParams.authorization` (WebSocket).',
  })
  accessToken!: string;

  @Field({
    description:
      'Exchange it once with `refreshTokens` for a new pair; reusing a spent one ends the session.',
  })
  refreshToken!: string;

  @Field(() => Int, { description: 'Seconds until the access token expires.' })
  expiresIn!: number;

  @Field(() => UserModel, { description: 'The signed-in account.' })
  user!: UserModel;
}
