import { EntityRepository } from '@mikro-orm/postgresql';
import type { Npc } from './npc.entity';

export class NpcRepository extends EntityRepository<Npc> {
  /** The NPCs of any number of locations in one query, by name. */
  inLocations(locationIds: readonly string[]): Promise<Npc[]> {
    return this.find(
      { location: { $in: [...locationIds] } },
      { orderBy: { name: 'asc', id: 'asc' } },
    );
  }
}
