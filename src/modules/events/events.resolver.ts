import { Args, ID, Parent, ResolveField, Resolver, Subscription } from '@nestjs/graphql';
import { EntityManager } from '@mikro-orm/postgresql';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser } from '../../common/auth/decorators';
import { ConnectionArgs } from '../../common/graphql/connection';
import { LoaderRegistry, Loaders } from '../../common/graphql/loaders';
import { ParseIdPipe } from '../../common/errors/validation';
import { Player } from '../players/player.entity';
import { PlayerModel } from '../players/player.type';
import { PlayerErrors } from '../players/players.errors';
import { EventsLoader } from './events.loader';
import { EventsService, fromPublished, PublishedEvent } from './events.service';
import { GameEventConnection, GameEventModel } from './game-event.type';

@Resolver(() => PlayerModel)
export class EventsResolver {
  constructor(
    private readonly eventsService: EventsService,
    private readonly loader: EventsLoader,
    private readonly em: EntityManager,
  ) {}

  @ResolveField(() => GameEventConnection, {
    description: "This character's event log, oldest first.",
  })
  events(
    @Parent() player: Player,
    @Args() args: ConnectionArgs,
    @Loaders() loaders: LoaderRegistry,
  ) {
    return this.loader.page(loaders, player.id, args.first, args.after);
  }

  @Subscription(() => GameEventModel, {
    description:
      "Everything that happens to one of your characters, live. Another user's character is NOT_FOUND.",
    resolve: (message: PublishedEvent) => fromPublished(message),
  })
  async gameEvents(
    @CurrentUser() user: AuthUser,
    @Args('playerId', { type: () => ID }, ParseIdPipe) playerId: string,
  ): Promise<AsyncIterableIterator<PublishedEvent>> {
    // Subscriptions run outside any HTTP request context: use a fork of our own.
    const owned = await this.em.fork().getRepository(Player).findOwned(user.id, playerId);
    if (!owned) throw PlayerErrors.notFound();
    return this.eventsService.subscribe(playerId);
  }
}
