import { EntityRepository } from '@mikro-orm/postgresql';
import { Player } from './player.entity';
import { PlayerErrors } from './players.errors';

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

  /**
   * Locks one of the user's live characters for the rest of the transaction (use
   * `tx.getRepository(Player)`), or NOT_FOUND. Every state change starts here.
   */
  async lockOwned(userId: string, id: string): Promise<Player> {
    const em = this.getEntityManager();
    // Plain SQL: every state change starts here, and building the query costs more
    // than running it.
    const [row] = await em.execute<Record<string, unknown>[]>(
      'select * from players where id = ? and user_id = ? and deleted_at is null for update',
      [id, userId],
    );
    if (!row) throw PlayerErrors.notFound();
    // map refreshes: a copy already in the identity map must not stand in for the locked row.
    return em.map(Player, row);
  }

  /** Live characters standing in any of these locations, in one query, by name. */
  livingIn(locationIds: readonly string[]): Promise<Player[]> {
    return this.find(
      { locationId: { $in: [...locationIds] }, deletedAt: null },
      { orderBy: { characterName: 'asc', id: 'asc' } },
    );
  }
}
