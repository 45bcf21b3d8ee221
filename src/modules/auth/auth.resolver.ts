import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Public } from '../../common/auth/decorators';
import { RateLimit } from '../../common/rate-limit/rate-limit.decorator';
import { AuthService } from './auth.service';
import { AuthPayload, UserModel } from './auth.type';
import { LoginInput, RegisterInput } from './dto/register.input';
import { User } from './user.entity';

@Resolver(() => UserModel)
export class AuthResolver {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @RateLimit('auth')
  @Mutation(() => AuthPayload, {
    description: 'Creates an account and signs it in. A taken username or email is CONFLICT.',
  })
  register(@Args('input') input: RegisterInput): Promise<AuthPayload> {
    return this.auth.register(input);
  }

  @Public()
  @RateLimit('auth')
  @Mutation(() => AuthPayload, {
    description: 'Signs in with a username or email and a password; opens a new session.',
  })
  login(@Args('input') input: LoginInput): Promise<AuthPayload> {
    return this.auth.login(input);
  }

  @Public()
  @RateLimit('auth')
  @Mutation(() => AuthPayload, {
    description:
      'Exchanges a refresh token for a new pair (rotation). Presenting a spent token again revokes its whole session.',
  })
  refreshTokens(@Args('refreshToken') refreshToken: string): Promise<AuthPayload> {
    return this.auth.refresh(refreshToken);
  }

  @Mutation(() => Boolean, {
    description:
      "Ends the refresh token's session: that token and every access token of the session stop working.",
  })
  logout(
    @CurrentUser() user: AuthUser,
    @Args('refreshToken') refreshToken: string,
  ): Promise<boolean> {
    return this.auth.logout(user, refreshToken);
  }

  @Query(() => UserModel, { description: 'The signed-in account.' })
  me(@CurrentUser() user: AuthUser): Promise<User> {
    return this.auth.me(user.id);
  }
}
