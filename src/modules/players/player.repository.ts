import { LockMode } from '@mikro-orm/core';
import { EntityRepository } from '@mikro-orm/postgresql';
import type { Player } from './player.entity';
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
    // refresh: a copy already in the identity map must not stand in for the locked row.
    const player = await this.findOne(
      { id, user: userId, deletedAt: null },
      { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
    );
    if (!player) throw PlayerErrors.notFound();
    return player;
  }

  /** Live characters standing in any of these locations, in one query, by name. */
  livingIn(locationIds: readonly string[]): Promise<Player[]> {
    return this.find(
      { locationId: { $in: [...locationIds] }, deletedAt: null },
      { orderBy: { characterName: 'asc', id: 'asc' } },
    );
  }
}
