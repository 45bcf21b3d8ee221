import type { QuestObjective, QuestRewards } from './quest.entity';
import type { QuestStatus, QuestType } from './quest.enums';

/**
 * A quest as the GraphQL fields read it: a Quest entity (what mutations return) satisfies it,
 * and so does the plain object the read path makes of a row (QuestRepository.ofPlayers).
 */
export interface QuestView {
  id: string;
  title: string;
  description: string;
  type: QuestType;
  status: QuestStatus;
  objectives: QuestObjective[];
  rewards: QuestRewards;
  createdAt: Date;
  acceptedAt?: Date | null;
  completedAt?: Date | null;
  endedAt?: Date | null;
}

/** A quest of the read path, with the character it belongs to. */
export interface HeldQuestView extends QuestView {
  playerId: string;
}
