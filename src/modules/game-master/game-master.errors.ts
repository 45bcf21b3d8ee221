import { badInput, DomainError, notFound } from '../../common/errors/domain-error';

export const GameMasterErrors = {
  emptyInput: () => badInput('Say what your character does: input must not be empty', 'input'),
  inputTooLong: (max: number) => badInput(`input must be at most ${max} characters`, 'input'),
  inputControl: () => badInput('input must not contain control characters', 'input'),
  playerNotFound: () => notFound('Player'),
  unavailable: () =>
    new DomainError('LLM_UNAVAILABLE', 'The game master cannot answer right now; try again'),
};
