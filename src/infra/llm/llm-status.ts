import { Injectable } from '@nestjs/common';
import { LlmClient } from './llm.client';

export type LlmHealth = 'ok' | 'degraded' | 'down';

/**
 * What /health reports for the game master's model: the circuit breaker's view
 * of the provider, from the real calls, instead of a probe request per health
 * check (which costs a round trip and, on paid APIs, rate-limit headroom).
 * With no provider configured the offline game master answers: healthy.
 * Never 'down': the offline game master answers whenever the model cannot.
 */
@Injectable()
export class LlmStatus {
  constructor(private readonly llm: LlmClient) {}

  get mode(): 'offline' | 'provider' {
    return this.llm.configured ? 'provider' : 'offline';
  }

  health(): Promise<LlmHealth> {
    if (this.mode === 'offline') return Promise.resolve('ok');
    return Promise.resolve(this.llm.breaker.state === 'closed' ? 'ok' : 'degraded');
  }
}
