import { EntityRepository } from '@mikro-orm/postgresql';
import { inList } from '../../infra/database/sql-values';
import type { LocationExit } from './location-exit.entity';
import { LOCATION_VIEW_COLUMNS, type LocationView } from './world.view';

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

  /** `from` for reading only: each exit's destination as a plain value, beside its origin. */
  viewsFrom(locationIds: readonly string[]): Promise<(LocationView & { fromId: string })[]> {
    return this.getEntityManager().execute(
      `select x.from_location_id as "fromId", ${LOCATION_VIEW_COLUMNS}
         from location_exits x join locations l on l.id = x.to_location_id
        where x.from_location_id in (?) order by l.name, l.id`,
      [inList(locationIds)],
    );
  }
}
