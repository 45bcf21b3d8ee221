import { EntityRepository } from '@mikro-orm/postgresql';
import type { Player } from './player.entity';

export class PlayerRepository extends EntityRepository<Player> {
  /** A live character of this user, or null: another user's character is indistinguishable from none. */
  findOwned(userId: string, id: string): Promise<Player | null> {
    return this.findOne({ id, user: userId, deletedAt: null });
  }

  listOwned(userId: string): Promise<Player[]> {
    return this.find(
      { user: userId, deletedAt: null },
      { orderBy: { createdAt: 'asc', id: 'asc' } },
    );
  }

  countOwned(userId: string): Promise<number> {
    return this.count({ user: userId, deletedAt: null });
  }

  /** Live characters standing in any of these locations, in one query, by name. */
  livingIn(locationIds: readonly string[]): Promise<Player[]> {
    return this.find(
      { locationId: { $in: [...locationIds] }, deletedAt: null },
      { orderBy: { characterName: 'asc', id: 'asc' } },
    );
  }
}
