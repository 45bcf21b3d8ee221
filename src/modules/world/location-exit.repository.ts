import { EntityRepository } from '@mikro-orm/postgresql';
import type { LocationExit } from './location-exit.entity';

export class LocationExitRepository extends EntityRepository<LocationExit> {
  /** The exits of any number of locations in one query, destinations joined in, by destination name. */
  from(locationIds: readonly string[]): Promise<LocationExit[]> {
    return this.find(
      { fromLocation: { $in: [...locationIds] } },
      {
        populate: ['toLocation'],
        strategy: 'joined',
        orderBy: { toLocation: { name: 'asc', id: 'asc' } },
      },
    );
  }
}
