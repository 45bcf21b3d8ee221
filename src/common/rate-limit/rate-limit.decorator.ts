import { SetMetadata } from '@nestjs/common';

/** The named limits of AppConfig.rateLimit that an operation can opt into. */
export type RateLimitName = 'auth' | 'gm';

export const RATE_LIMIT = 'rateLimit:name';

/** Puts an operation under a stricter named limit, on top of the default one. */
export const RateLimit = (name: RateLimitName) => SetMetadata(RATE_LIMIT, name);

/** Exempts an operation from every limit (none does today; for health-like probes). */
export const SkipRateLimit = () => SetMetadata(RATE_LIMIT, 'skip');

/**
 * The fixed operation names of API.md under a named limit, so an operation is
 * limited even if its resolver forgets the decorator (and the game master's
 * operations are covered wherever they are declared).
 */
export const LIMIT_BY_OPERATION: Readonly<Record<string, RateLimitName>> = {
  login: 'auth',
  register: 'auth',
  refreshTokens: 'auth',
  act: 'gm',
  talkToNpc: 'gm',
  generateQuest: 'gm',
};
