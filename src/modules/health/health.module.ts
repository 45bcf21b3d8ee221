import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';

/** LlmStatus comes from the global LlmModule: it reads the client's circuit breaker. */
@Module({ controllers: [HealthController] })
export class HealthModule {}
