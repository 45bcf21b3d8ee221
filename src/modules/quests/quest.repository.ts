import { EntityRepository } from '@mikro-orm/postgresql';
import type { Quest } from './quest.entity';
import type { QuestStatus } from './quest.enums';

export class QuestRepository extends EntityRepository<Quest> {
  /** A quest of a live character of this user, or null: another user's quest is indistinguishable from none. */
  findOwned(userId: string, id: string): Promise<Quest | null> {
    return this.findOne({ id, player: { user: userId, deletedAt: null } });
  }

  /** The quests of any number of characters in one query, oldest first. */
  ofPlayers(playerIds: readonly string[], status?: QuestStatus): Promise<Quest[]> {
    return this.find(
      { player: { $in: [...playerIds] }, ...(status ? { status } : {}) },
      { orderBy: { createdAt: 'asc', id: 'asc' } },
    );
  }
}
