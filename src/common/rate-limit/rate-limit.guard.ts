import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { GraphQLResolveInfo } from 'graphql';
import { InjectConfig } from '../../config/config.module';
import type { AppConfig, RateLimitSetting } from '../../config/env';
import type { GraphQLContext } from '../../config/graphql.options';
import { MetricsService } from '../../infra/metrics/metrics.service';
import { DomainError } from '../errors/domain-error';
import { LIMIT_BY_OPERATION, RATE_LIMIT, RateLimitName } from './rate-limit.decorator';
import { RATE_LIMIT_STORAGE } from './rate-limit.module-tokens';
import type { RateLimitStorage } from './rate-limit.storage';

type Resolved = RateLimitName | 'skip' | null;

/**
 * The rate limits, for GraphQL operations over HTTP and over graphql-ws alike
 * (global guards run on root fields only, never per resolved field). Runs after
 * the AuthGuard, so a signed-in caller is counted by user id, anyone else by
 * client address (Fastify's `request.ip` under TRUST_PROXY; the WebSocket
 * upgrade's address for socket operations).
 *
 * - `default`: once per HTTP request or socket operation, whatever it holds;
 * - a named limit (`auth`, `gm`): once per root field under it, so aliasing
 *   `login` ten times in one document counts ten attempts;
 * - `login` also counts per account name, to slow credential stuffing spread
 *   over many addresses.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  /** Requests (or socket operations) already counted against the default limit. */
  private readonly counted = new WeakSet<object>();
  /** Requests refused by `admit` before their resolvers ran: the guard repeats the refusal. */
  private readonly refused = new WeakMap<object, DomainError>();
  private readonly byHandler = new Map<unknown, Resolved>();
  private readonly prefix: string;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    @Inject(RATE_LIMIT_STORAGE) private readonly storage: RateLimitStorage,
    private readonly reflector: Reflector,
    private readonly metrics: MetricsService,
  ) {
    this.prefix = `${config.redis.keyPrefix}:rl:`;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.config.rateLimit.enabled || context.getType<string>() !== 'graphql') return true;
    const info = context.getArgByIndex<GraphQLResolveInfo>(3);
    const named = this.limitOf(context.getHandler(), info.fieldName);
    if (named === 'skip') return true;
    const { req, res } = context.getArgByIndex<GraphQLContext>(2);
    const tracker = trackerOf(req);
    const limits = this.config.rateLimit;

    const refused = this.refused.get(req);
    if (refused) throw refused;
    if (!this.counted.has(req)) {
      this.counted.add(req);
      await this.check('default', limits.default, tracker, res);
    }
    if (named) {
      await this.check(named, limits[named], tracker, res);
      if (info.fieldName === 'login') {
        const login = context.getArgByIndex<{ input?: { login?: unknown } }>(1).input?.login;
        if (typeof login === 'string') {
          await this.check(
            'loginPerAccount',
            limits.loginPerAccount,
            `acct:${login.trim().toLowerCase()}`,
            res,
          );
        }
      }
    }
    return true;
  }

  /**
   * Counts a request against the default limit before any resolver runs (the operation
   * cache answers some requests without running one). False when over the limit: the
   * request then goes on to its resolvers, where this guard refuses it without counting
   * it twice.
   */
  async admit(req: GraphQLContext['req'], res: GraphQLContext['res']): Promise<boolean> {
    if (!this.config.rateLimit.enabled || this.counted.has(req)) return true;
    this.counted.add(req);
    try {
      await this.check('default', this.config.rateLimit.default, trackerOf(req), res);
      return true;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.refused.set(req, error);
      return false;
    }
  }

  private async check(
    name: keyof AppConfig['rateLimit'],
    setting: RateLimitSetting,
    tracker: string,
    res: GraphQLContext['res'],
  ): Promise<void> {
    if (setting.limit === 0) return;
    const { allowed, retryAfter } = await this.storage.hit(
      `${this.prefix}${name}:${tracker}`,
      setting.limit,
      setting.windowSeconds * 1000,
    );
    if (allowed) return;
    this.metrics.rateLimitHits.inc({ limit: name });
    res?.header('retry-after', String(retryAfter));
    throw new DomainError('RATE_LIMITED', `Too many requests: try again in ${retryAfter} s`, {
      retryAfter,
    });
  }

  /** Decorator first, then the fixed operation names; resolved once per resolver method. */
  private limitOf(handler: unknown, fieldName: string): Resolved {
    let resolved = this.byHandler.get(handler);
    if (resolved === undefined) {
      resolved =
        this.reflector.get<RateLimitName | 'skip' | undefined>(RATE_LIMIT, handler as never) ??
        LIMIT_BY_OPERATION[fieldName] ??
        null;
      this.byHandler.set(handler, resolved);
    }
    return resolved;
  }
}

/** A signed-in caller by user id, anyone else by client address. */
function trackerOf(req: GraphQLContext['req']): string {
  return req.user ? `u:${req.user.id}` : `ip:${req.ip ?? 'unknown'}`;
}
