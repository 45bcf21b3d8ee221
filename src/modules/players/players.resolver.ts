import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser } from '../../common/auth/decorators';
import { ParseIdPipe } from '../../common/errors/validation';
import { UserModel } from '../auth/auth.type';
import type { User } from '../auth/user.entity';
import { CreatePlayerInput } from './dto/create-player.input';
import type { Player } from './player.entity';
import { PlayerModel } from './player.type';
import type { PlayerView } from './player.view';
import { experienceToNextLevel } from './progression';
import { PlayersService } from './players.service';
import { CacheTags } from '../../common/cache/cache-tags';
import { DependsOn } from '../../common/cache/operation-cache';

@Resolver(() => PlayerModel)
export class PlayersResolver {
  constructor(private readonly players: PlayersService) {}

  @Mutation(() => PlayerModel, {
    description:
      'Creates a character at level 1 with full health and mana, in the starting location. A taken name is CONFLICT.',
  })
  createPlayer(
    @CurrentUser() user: AuthUser,
    @Args('input') input: CreatePlayerInput,
  ): Promise<Player> {
    return this.players.create(user.id, input);
  }

  @DependsOn<{ id: string }>(({ id }) => [CacheTags.player(id)])
  @Query(() => PlayerModel, {
    description: "One of the signed-in user's characters (NOT_FOUND for anyone else's).",
  })
  player(
    @CurrentUser() user: AuthUser,
    @Args('id', { type: () => ID }, ParseIdPipe) id: string,
  ): Promise<PlayerView> {
    return this.players.getOwned(user.id, id);
  }

  @Mutation(() => Boolean, {
    description: 'Deletes one of your characters. Its name becomes free again.',
  })
  deletePlayer(
    @CurrentUser() user: AuthUser,
    @Args('id', { type: () => ID }, ParseIdPipe) id: string,
  ): Promise<boolean> {
    return this.players.delete(user.id, id);
  }

  @DependsOn(() => [])
  @ResolveField(() => Int, { description: 'Experience still needed to reach the next level.' })
  experienceToNextLevel(@Parent() player: PlayerView): number {
    return experienceToNextLevel(player.level, player.experience);
  }
}

@Resolver(() => UserModel)
export class UserPlayersResolver {
  constructor(private readonly playersService: PlayersService) {}

  @ResolveField(() => [PlayerModel], {
    description: 'The characters of this account, oldest first.',
  })
  players(@Parent() user: User): Promise<PlayerView[]> {
    return this.playersService.listOwned(user.id);
  }
}
