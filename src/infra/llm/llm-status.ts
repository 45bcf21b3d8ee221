import { Injectable } from '@nestjs/common';
import { InjectConfig } from '../../config/config.module';
import type { AppConfig } from '../../config/env';

export type LlmHealth = 'ok' | 'degraded' | 'down';

/**
 * What /health reports for the game master's model. With no provider configured
 * the offline game master answers, which is a healthy state, not a degraded one.
 */
@Injectable()
export class LlmStatus {
  constructor(@InjectConfig() private readonly config: AppConfig) {}

  get mode(): 'offline' | 'provider' {
    return this.config.llm.baseUrl || this.config.llm.apiKey ? 'provider' : 'offline';
  }

  async health(): Promise<LlmHealth> {
    if (this.mode === 'offline') return 'ok';
    const base = this.config.llm.baseUrl ?? 'https://api.openai.com/v1';
    try {
      const response = await fetch(`${base.replace(/\/$/, '')}/models`, {
        headers: this.config.llm.apiKey
          ? { authorization: `Bearer ${this.config.llm.apiKey}` }
          : {},
        signal: AbortSignal.timeout(1_500),
      });
      // The offline game master still answers when the provider fails.
      return response.ok ? 'ok' : 'degraded';
    } catch {
      return 'degraded';
    }
  }
}
