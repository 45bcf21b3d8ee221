import { Global, Module } from '@nestjs/common';
import { LlmStatus } from './llm-status';
import { LlmUsageResolver } from './llm-usage.resolver';
import { LlmUsageService } from './llm-usage.service';
import { LlmClient } from './llm.client';

/** The model behind the game master, its usage and budget, and its health. */
@Global()
@Module({
  providers: [LlmClient, LlmUsageService, LlmStatus, LlmUsageResolver],
  exports: [LlmClient, LlmUsageService, LlmStatus],
})
export class LlmModule {}
