import { EntityRepository } from '@mikro-orm/postgresql';
import { inList } from '../../infra/database/sql-values';
import type { Npc } from './npc.entity';
import type { NpcRole } from './npc-role';
import type { NpcView } from './world.view';

interface NpcRow {
  id: string;
  name: string;
  description: string;
  role: NpcRole;
  location_id: string;
}

const npcViewOf = (row: NpcRow): NpcView => ({
  id: row.id,
  name: row.name,
  description: row.description,
  role: row.role,
  location: { id: row.location_id },
});

// The NPC queries here serve the read path: plain SQL, plain read-only values, no hydration.
export class NpcRepository extends EntityRepository<Npc> {
  /** The NPCs of any number of locations in one query, by name. */
  async inLocations(locationIds: readonly string[]): Promise<NpcView[]> {
    const rows = await this.getEntityManager().execute<NpcRow[]>(
      'select id, name, description, role, location_id from npcs where location_id in (?) order by name, id',
      [inList(locationIds)],
    );
    return rows.map(npcViewOf);
  }

  /** These NPCs, in no particular order. */
  async viewsOf(ids: readonly string[]): Promise<NpcView[]> {
    const rows = await this.getEntityManager().execute<NpcRow[]>(
      'select id, name, description, role, location_id from npcs where id in (?)',
      [inList(ids)],
    );
    return rows.map(npcViewOf);
  }
}
