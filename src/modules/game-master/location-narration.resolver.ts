import { EntityManager } from '@mikro-orm/postgresql';
import { Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser } from '../../common/auth/decorators';
import { LoaderRegistry, Loaders } from '../../common/graphql/loaders';
import { Player } from '../players/player.entity';
import type { Location } from '../world/location.entity';
import { LocationExit } from '../world/location-exit.entity';
import { Npc } from '../world/npc.entity';
import { LocationModel } from '../world/world.type';
import { LocationDescriber, PlaceFacts } from './location-describer.service';

@Resolver(() => LocationModel)
export class LocationNarrationResolver {
  constructor(
    private readonly describer: LocationDescriber,
    private readonly em: EntityManager,
  ) {}

  @ResolveField(() => String, {
    description:
      "The game master's description of the place: written by the model when a character first stands there and looks, then cached for a week for everyone. Until then, offline, or when the model fails, it is the seeded `description`.",
  })
  async narration(
    @Parent() location: Location,
    @CurrentUser() user: AuthUser,
    @Loaders() loaders: LoaderRegistry,
  ): Promise<string> {
    const standing = await loaders.get(this, () => this.placesOf(user.id));
    return this.describer.narration(
      () => this.factsOf(location),
      location,
      standing.has(location.id),
      user.id,
    );
  }

  /** Where the reader's characters stand: one query per request. */
  private async placesOf(userId: string): Promise<Set<string>> {
    const players = await this.em
      .fork()
      .find(Player, { user: userId, deletedAt: null }, { fields: ['locationId'] });
    return new Set(players.map((p) => p.locationId));
  }

  private async factsOf(location: Location): Promise<PlaceFacts> {
    const em = this.em.fork();
    const exits = await em.getRepository(LocationExit).from([location.id]);
    const npcs = await em.find(Npc, { location: location.id }, { orderBy: { name: 'asc' } });
    return { location, exits: exits.map((e) => e.toLocation.name), npcs };
  }
}
