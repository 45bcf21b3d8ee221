import { EntityRepository } from '@mikro-orm/postgresql';
import { inList } from '../../infra/database/sql-values';
import { Player } from './player.entity';
import {
  PLAYER_VIEW_COLUMNS,
  type PlayerView,
  playerViewOf,
  type PlayerViewRow,
} from './player.view';
import { PlayerErrors } from './players.errors';

export class PlayerRepository extends EntityRepository<Player> {
  /** A live character of this user, or null: another user's character is indistinguishable from none. */
  findOwned(userId: string, id: string): Promise<Player | null> {
    return this.findOne({ id, user: userId, deletedAt: null });
  }

  /**
   * findOwned for reading only: plain SQL and a plain object, no query building nor hydration
   * (together they cost more than the query on the hot read of a character).
   */
  async viewOwned(userId: string, id: string): Promise<PlayerView | null> {
    const [row] = await this.getEntityManager().execute<PlayerViewRow[]>(
      `select ${PLAYER_VIEW_COLUMNS} from players p
        where p.id = ? and p.user_id = ? and p.deleted_at is null`,
      [id, userId],
    );
    return row ? playerViewOf(row) : null;
  }

  /** The user's live characters, oldest first, for reading only (as viewOwned). */
  async listOwned(userId: string): Promise<PlayerView[]> {
    const rows = await this.getEntityManager().execute<PlayerViewRow[]>(
      `select ${PLAYER_VIEW_COLUMNS} from players p
        where p.user_id = ? and p.deleted_at is null order by p.created_at, p.id`,
      [userId],
    );
    return rows.map(playerViewOf);
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

  /** livingIn for reading only (as viewOwned), with each character's location. */
  async viewsLivingIn(locationIds: readonly string[]): Promise<PlayerView[]> {
    const rows = await this.getEntityManager().execute<PlayerViewRow[]>(
      `select ${PLAYER_VIEW_COLUMNS} from players p
        where p.location_id in (?) and p.deleted_at is null order by p.character_name, p.id`,
      [inList(locationIds)],
    );
    return rows.map(playerViewOf);
  }
}
