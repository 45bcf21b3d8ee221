import { EntityRepository } from '@mikro-orm/postgresql';
import type { Location } from './location.entity';

export class LocationRepository extends EntityRepository<Location> {
  /** The whole map, grouped by region. */
  listAll(): Promise<Location[]> {
    return this.findAll({ orderBy: { region: 'asc', name: 'asc' } });
  }
}
