import { EntityRepository } from '@mikro-orm/postgresql';
import { inList } from '../../infra/database/sql-values';
import type { Location } from './location.entity';
import { LOCATION_VIEW_COLUMNS, type LocationView } from './world.view';

export class LocationRepository extends EntityRepository<Location> {
  /** The whole map, grouped by region. */
  listAll(): Promise<Location[]> {
    return this.findAll({ orderBy: { region: 'asc', name: 'asc' } });
  }

  /** These places as plain read-only values (no hydration), in no particular order. */
  viewsOf(ids: readonly string[]): Promise<LocationView[]> {
    return this.getEntityManager().execute<LocationView[]>(
      `select ${LOCATION_VIEW_COLUMNS} from locations l where l.id in (?)`,
      [inList(ids)],
    );
  }
}
