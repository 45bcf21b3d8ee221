import { Module } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { Logger as Pino } from 'pino';
import { LoggerModule } from 'nestjs-pino';
import { MetricsController } from './metrics.controller';
import { ObservabilityPlugin } from './observability.plugin';

/**
 * JSON logs through the one pino instance Fastify was built with (bootstrap.ts):
 * Nest's Logger, Fastify and the request lines share it, and log lines written
 * during a request carry its id. Plus GET /metrics and the Apollo plugin.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [HttpAdapterHost],
      useFactory: (host: HttpAdapterHost) => ({
        pinoHttp: { logger: (host.httpAdapter.getInstance() as FastifyInstance).log as Pino },
        // Fastify already made each request's child logger: bind it, add no pino-http pass.
        useExisting: true,
      }),
    }),
  ],
  controllers: [MetricsController],
  providers: [ObservabilityPlugin],
})
export class ObservabilityModule {}
