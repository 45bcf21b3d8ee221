import { conflict, notFound, ruleViolation } from '../../common/errors/domain-error';

export const PlayerErrors = {
  notFound: () => notFound('Player'),
  nameTaken: (name: string) => conflict(`The name "${name}" is taken`, 'characterName'),
  tooMany: (max: number) => ruleViolation(`An account may hold at most ${max} characters`),
};
