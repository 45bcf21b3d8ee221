/** The codes of API.md that the game itself raises (GraphQL-layer codes are left as they are). */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'GAME_RULE_VIOLATION'
  | 'RATE_LIMITED'
  | 'LLM_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR';

export interface ErrorDetails {
  /** Input fields at fault (BAD_USER_INPUT, CONFLICT). */
  fields?: string[];
  /** Seconds before trying again (RATE_LIMITED). */
  retryAfter?: number;
  /** The same call may be sent again as is: it changed nothing (a transient database failure). */
  retryable?: boolean;
}

/**
 * What services throw. They never throw HTTP exceptions: the one error formatter
 * (format-error.ts) turns these into GraphQL errors with `extensions.code`.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const badInput = (message: string, ...fields: string[]) =>
  new DomainError('BAD_USER_INPUT', message, { fields });
export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} not found`);
export const conflict = (message: string, ...fields: string[]) =>
  new DomainError('CONFLICT', message, { fields });
export const ruleViolation = (message: string) => new DomainError('GAME_RULE_VIOLATION', message);
export const unauthenticated = (message = 'Authentication required') =>
  new DomainError('UNAUTHENTICATED', message);
export const forbidden = (message = 'Not allowed') => new DomainError('FORBIDDEN', message);
