import { EntityManager } from '@mikro-orm/postgresql';
import { wrap } from '@mikro-orm/core';
import {
  Args,
  ID,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
  Subscription,
} from '@nestjs/graphql';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser } from '../../common/auth/decorators';
import { ParseIdPipe } from '../../common/errors/validation';
import { ConnectionArgs } from '../../common/graphql/connection';
import { EventBus } from '../../infra/pubsub/event-bus';
import { InjectEventBus } from '../../infra/pubsub/pubsub.module';
import { Player } from '../players/player.entity';
import { PlayerModel } from '../players/player.type';
import { GameMasterErrors } from './game-master.errors';
import { GameMasterService } from './game-master.service';
import type { GameTurn } from './game-turn.entity';
import { GameTurnConnection, GameTurnModel, NarrationChunkModel } from './game-turn.type';
import { NarrationMessage, narrationTopic } from './narration';

const PLAYER_ID = { type: () => ID, description: 'The character (one of yours).' };

@Resolver(() => GameTurnModel)
export class GameMasterResolver {
  constructor(
    private readonly gameMaster: GameMasterService,
    private readonly em: EntityManager,
    @InjectEventBus() private readonly bus: EventBus,
  ) {}

  @Mutation(() => GameTurnModel, {
    description:
      'The player says or does something and the game master answers: a narrative, and changes to the game only through validated rules (per-turn caps on experience, gold and items by level; only catalogue items whose rarity fits; only owned items; only exits of the current location; only this character). Every refused proposal is listed in `rejected` with its reason. The narrative streams on `narration`; state changes go out on `gameEvents` after they commit. With no model configured, or when the model fails, the offline game master answers (see `source`). Empty input, or input over the length limit (1000 characters by default), is BAD_USER_INPUT; a character that is not yours NOT_FOUND; LLM_UNAVAILABLE only when not even the offline game master could answer.',
  })
  act(
    @CurrentUser() user: AuthUser,
    @Args('playerId', PLAYER_ID, ParseIdPipe) playerId: string,
    @Args('input', {
      description:
        'What the character says or does, in your own words, e.g. "look around", "go to the inn", "talk to Marta".',
    })
    input: string,
  ): Promise<GameTurn> {
    return this.gameMaster.act(user.id, playerId, input);
  }

  @Query(() => GameTurnConnection, {
    description:
      "The story so far of one of your characters, oldest turn first. Another user's character is NOT_FOUND.",
  })
  turns(
    @CurrentUser() user: AuthUser,
    @Args('playerId', PLAYER_ID, ParseIdPipe) playerId: string,
    @Args() args: ConnectionArgs,
  ) {
    return this.gameMaster.page(user.id, playerId, args.first, args.after);
  }

  @ResolveField(() => PlayerModel, {
    description: 'The character who played the turn, as it is now.',
  })
  async player(@Parent() turn: GameTurn): Promise<Player> {
    if (wrap(turn.player).isInitialized()) return turn.player;
    return this.em.findOneOrFail(Player, turn.player.id);
  }

  @Subscription(() => NarrationChunkModel, {
    resolve: (message: NarrationMessage) => message,
    description:
      "The narrative of one of your character's turns as it is written, chunk by chunk, then a `done` chunk. A client that subscribes late still gets the whole turn from `act`. Another user's character is NOT_FOUND.",
  })
  async narration(
    @CurrentUser() user: AuthUser,
    @Args('playerId', PLAYER_ID, ParseIdPipe) playerId: string,
  ): Promise<AsyncIterableIterator<NarrationMessage>> {
    // Subscriptions run outside any HTTP request context: use a fork of our own.
    const owned = await this.em.fork().getRepository(Player).findOwned(user.id, playerId);
    if (!owned) throw GameMasterErrors.playerNotFound();
    return this.bus.subscribe<NarrationMessage>(narrationTopic(playerId));
  }
}
