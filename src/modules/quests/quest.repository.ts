import { EntityRepository } from '@mikro-orm/postgresql';
import { inList, nullableTimestamptz, timestamptz } from '../../infra/database/sql-values';
import type { Quest, QuestObjective, QuestRewards } from './quest.entity';
import type { QuestStatus, QuestType } from './quest.enums';
import type { HeldQuestView } from './quest.view';

interface QuestRow {
  id: string;
  player_id: string;
  title: string;
  description: string;
  type: QuestType;
  status: QuestStatus;
  objectives: QuestObjective[];
  rewards: QuestRewards;
  created_at: string | Date;
  accepted_at: string | Date | null;
  completed_at: string | Date | null;
  ended_at: string | Date | null;
}

export class QuestRepository extends EntityRepository<Quest> {
  /** A quest of a live character of this user, or null: another user's quest is indistinguishable from none. */
  findOwned(userId: string, id: string): Promise<Quest | null> {
    return this.findOne({ id, player: { user: userId, deletedAt: null } });
  }

  /**
   * The quests of any number of characters in one query, oldest first. Read-only plain
   * objects: no query building nor hydration on the hot read of a character.
   */
  async ofPlayers(playerIds: readonly string[], status?: QuestStatus): Promise<HeldQuestView[]> {
    const rows = await this.getEntityManager().execute<QuestRow[]>(
      `select id, player_id, title, description, type, status, objectives, rewards, created_at,
              accepted_at, completed_at, ended_at
         from quests where player_id in (?)${status ? ' and status = ?' : ''}
        order by created_at, id`,
      status ? [inList(playerIds), status] : [inList(playerIds)],
    );
    return rows.map((row) => ({
      id: row.id,
      playerId: row.player_id,
      title: row.title,
      description: row.description,
      type: row.type,
      status: row.status,
      objectives: row.objectives,
      rewards: row.rewards,
      createdAt: timestamptz(row.created_at),
      acceptedAt: nullableTimestamptz(row.accepted_at),
      completedAt: nullableTimestamptz(row.completed_at),
      endedAt: nullableTimestamptz(row.ended_at),
    }));
  }
}
