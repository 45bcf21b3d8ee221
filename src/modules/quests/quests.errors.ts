import { badInput, DomainError, notFound, ruleViolation } from '../../common/errors/domain-error';
import { QUEST_LIMITS } from './quest-rules';
import type { Quest, QuestObjective } from './quest.entity';
import { QuestStatus } from './quest.enums';

export const QuestErrors = {
  notFound: () => notFound('Quest'),
  hintTooLong: () => badInput(`hint must be at most ${QUEST_LIMITS.hintMax} characters`, 'hint'),
  hintControl: () => badInput('hint must not contain control characters', 'hint'),
  tooManyOffered: (who: string) =>
    ruleViolation(
      `${who} already has ${QUEST_LIMITS.maxOffered} quests on offer; accept or abandon one first`,
    ),
  tooManyActive: (who: string) =>
    ruleViolation(
      `${who} already has ${QUEST_LIMITS.maxActive} active quests; complete or abandon one first`,
    ),
  wrongStatus: (quest: Quest, action: string, allowed: QuestStatus[]) =>
    ruleViolation(
      `"${quest.title}" is ${quest.status}: only ${allowed.join(' or ')} quests can be ${action}`,
    ),
  alreadyCompleted: (quest: Quest) =>
    ruleViolation(`"${quest.title}" is already completed; its rewards were paid`),
  notDone: (quest: Quest, open: QuestObjective[]) =>
    ruleViolation(
      `"${quest.title}" is not complete yet: ${open
        .map((o) => `${o.description} (${Math.min(o.current, o.required)}/${o.required})`)
        .join('; ')}`,
    ),
  /** A model's proposal the rules refuse: the player asked fairly, the game master wrote nonsense. */
  proposalRefused: (problems: string[]) =>
    ruleViolation(`The game master proposed a quest the rules refuse: ${problems.join('; ')}`),
  /** The built-in generator writing an invalid quest is our bug; the details go to the log only. */
  builtInProposalInvalid: (problems: string[]) =>
    new DomainError(
      'INTERNAL_SERVER_ERROR',
      `Built-in quest generator proposed an invalid quest: ${problems.join('; ')}`,
    ),
};
