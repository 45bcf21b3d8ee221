import { Module } from '@nestjs/common';
import { LlmStatus } from '../../infra/llm/llm-status';
import { HealthController } from './health.controller';

@Module({ controllers: [HealthController], providers: [LlmStatus] })
export class HealthModule {}
