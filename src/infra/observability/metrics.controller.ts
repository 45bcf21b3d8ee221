import { timingSafeEqual } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../common/auth/decorators';
import { InjectConfig } from '../../config/config.module';
import type { AppConfig } from '../../config/env';
import { MetricsService } from '../metrics/metrics.service';

/** The knex (tarn) pool MikroORM queries through. */
interface Pool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  max: number;
}

/**
 * GET /metrics, Prometheus text. Open on the app port unless METRICS_ENABLED=false;
 * with METRICS_TOKEN set it needs `Authorization: Bearer <token>`.
 */
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly orm: MikroORM,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  @Public()
  @Get('metrics')
  async scrape(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { enabled, token } = this.config.metrics;
    if (!enabled) {
      await reply.status(404).send({ message: 'Not Found', statusCode: 404 });
      return;
    }
    if (token && !bearerMatches(request.headers.authorization, token)) {
      await reply
        .status(401)
        .header('www-authenticate', 'Bearer')
        .send({ message: 'Unauthorized', statusCode: 401 });
      return;
    }
    this.readPool();
    const body = await this.metrics.render();
    await reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8').send(body);
  }

  private readPool(): void {
    const pool = this.pool();
    if (!pool) return;
    const gauge = this.metrics.dbPool;
    gauge.set({ state: 'used' }, pool.numUsed());
    gauge.set({ state: 'free' }, pool.numFree());
    gauge.set({ state: 'pending' }, pool.numPendingAcquires());
    gauge.set({ state: 'max' }, pool.max);
  }

  private pool(): Pool | undefined {
    try {
      return (this.orm.em.getConnection().getKnex().client as { pool?: Pool }).pool ?? undefined;
    } catch {
      return undefined;
    }
  }
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = Buffer.from(/^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim() ?? '');
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
