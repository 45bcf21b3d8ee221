import { Controller, Get, HttpCode, HttpStatus, Res } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyReply } from 'fastify';
import { Public } from '../../common/auth/decorators';
import { AppCache } from '../../infra/cache/app-cache';
import { LlmStatus } from '../../infra/llm/llm-status';

type Check = 'ok' | 'degraded' | 'down';

@Controller('health')
export class HealthController {
  constructor(
    private readonly orm: MikroORM,
    private readonly cache: AppCache,
    private readonly llm: LlmStatus,
  ) {}

  /** 200 while the database answers (cache and model problems only degrade); 503 when it does not. */
  @Public()
  @Get()
  @HttpCode(HttpStatus.OK)
  async health(@Res({ passthrough: true }) reply: FastifyReply) {
    const [database, cache, llm] = await Promise.all([
      this.database(),
      this.cache.health(),
      this.llm.health(),
    ]);
    const checks = { database, cache, llm };
    const status: Check =
      database === 'down' ? 'down' : cache === 'ok' && llm === 'ok' ? 'ok' : 'degraded';
    if (database === 'down') reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status, checks };
  }

  /** Liveness: the process is up and serving. Restart it only when this stops answering. */
  @Public()
  @Get('live')
  live() {
    return { status: 'ok' };
  }

  /**
   * Readiness: send traffic here only while the database answers (503 otherwise).
   * A cache outage degrades (every read then goes to the database) but stays ready.
   */
  @Public()
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const [database, cache] = await Promise.all([this.database(), this.cache.health()]);
    const status: Check = database === 'down' ? 'down' : cache === 'ok' ? 'ok' : 'degraded';
    if (database === 'down') reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status, checks: { database, cache } };
  }

  private async database(): Promise<Check> {
    try {
      await withTimeout(this.orm.em.getConnection().execute('select 1'), 2_000);
      return 'ok';
    } catch {
      return 'down';
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
