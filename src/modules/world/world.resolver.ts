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
import { CacheResult, cacheField } from '../../common/cache/cache-result';
import { CacheTags } from '../../common/cache/cache-tags';
import { ParseIdPipe, ParseSlugPipe } from '../../common/errors/validation';
import { LoaderRegistry, Loaders } from '../../common/graphql/loaders';
import { fromPublished, PublishedEvent } from '../events/events.service';
import { GameEventModel } from '../events/game-event.type';
import type { Player } from '../players/player.entity';
import type { PlayerView } from '../players/player.view';
import { PlayerModel, PlayerSummaryModel } from '../players/player.type';
import type { Location } from './location.entity';
import { WorldLoader } from './world.loader';
import { WorldService } from './world.service';
import type { LocationView, NpcView } from './world.view';
import { LocationModel, NpcModel } from './world.type';
import { DependsOn } from '../../common/cache/operation-cache';

@Resolver(() => LocationModel)
export class WorldResolver {
  constructor(
    private readonly world: WorldService,
    private readonly loader: WorldLoader,
  ) {}

  @CacheResult({ ttl: 3600, scope: 'public', tags: () => [CacheTags.world] })
  @Query(() => [LocationModel], { description: 'Every location on the map, by region, then name.' })
  locations(): Promise<Location[]> {
    return this.world.listLocations();
  }

  @CacheResult({ ttl: 3600, scope: 'public', tags: () => [CacheTags.world] })
  @Query(() => LocationModel, {
    description: 'One location by id. A malformed id is BAD_USER_INPUT; an unknown one NOT_FOUND.',
  })
  location(
    @Args(
      'id',
      { type: () => ID, description: 'A location slug, e.g. `millbrook-square`.' },
      ParseSlugPipe,
    )
    id: string,
  ): Promise<Location> {
    return this.world.getLocation(id);
  }

  @Mutation(() => PlayerModel, {
    description:
      'Moves one of your characters along an exit of the location it stands in. Anywhere else, the place it already stands, or a character with no health left is GAME_RULE_VIOLATION; an unknown location, or a character that is not yours, NOT_FOUND. Records a TRAVELLED event, also seen on `locationEvents` of both places.',
  })
  travel(
    @CurrentUser() user: AuthUser,
    @Args(
      'playerId',
      { type: () => ID, description: 'The character to move (one of yours).' },
      ParseIdPipe,
    )
    playerId: string,
    @Args(
      'locationId',
      { type: () => ID, description: 'Where to go: an exit of where the character stands.' },
      ParseSlugPipe,
    )
    locationId: string,
  ): Promise<Player> {
    return this.world.travel(user.id, playerId, locationId);
  }

  @Subscription(() => GameEventModel, {
    description:
      'Public events at a location, live: characters arriving and leaving (TRAVELLED; `data.from` and `data.to` tell which) and trades. Any signed-in user may watch any location.',
    resolve: (message: PublishedEvent) => fromPublished(message),
  })
  locationEvents(
    @Args('locationId', { type: () => ID, description: 'The location to watch.' }, ParseSlugPipe)
    locationId: string,
  ): Promise<AsyncIterableIterator<PublishedEvent>> {
    return this.world.watchLocation(locationId);
  }

  @DependsOn(() => [CacheTags.world])
  @ResolveField(() => [LocationModel], {
    description: 'The places one step away, by name. Paths are two-way.',
    middleware: [cacheField({ ttl: 3600, scope: 'public', tags: () => [CacheTags.world] })],
  })
  exits(
    @Parent() location: LocationView,
    @Loaders() loaders: LoaderRegistry,
  ): Promise<LocationView[]> {
    return this.loader.for(loaders).exits.load(location.id);
  }

  @DependsOn(() => [CacheTags.world])
  @ResolveField(() => [NpcModel], {
    description: 'The NPCs found here, by name.',
    middleware: [cacheField({ ttl: 3600, scope: 'public', tags: () => [CacheTags.world] })],
  })
  npcs(@Parent() location: LocationView, @Loaders() loaders: LoaderRegistry): Promise<NpcView[]> {
    return this.loader.for(loaders).npcs.load(location.id);
  }

  @DependsOn<unknown, { id: string }>((_args, location) => [CacheTags.playersAt(location.id)])
  @ResolveField(() => [PlayerSummaryModel], {
    description: "The characters standing here (anyone's), by name.",
    middleware: [
      cacheField<LocationView>({
        ttl: 60,
        scope: 'public',
        tags: (_args, location) => [CacheTags.playersAt(location.id)],
      }),
    ],
  })
  playersHere(
    @Parent() location: LocationView,
    @Loaders() loaders: LoaderRegistry,
  ): Promise<PlayerView[]> {
    return this.loader.for(loaders).playersHere.load(location.id);
  }
}

@Resolver(() => PlayerModel)
export class PlayerLocationResolver {
  constructor(private readonly loader: WorldLoader) {}

  @DependsOn(() => [CacheTags.world])
  @ResolveField(() => LocationModel, { description: 'Where the character stands.' })
  location(
    @Parent() player: PlayerView,
    @Loaders() loaders: LoaderRegistry,
  ): Promise<LocationView> {
    return this.loader.for(loaders).location.load(player.locationId);
  }
}
