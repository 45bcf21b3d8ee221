import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { InjectConfig } from '../../config/config.module';
import type { AppConfig } from '../../config/env';
import type { UsageCounts } from './llm.types';

export type { UsageCounts };

export interface UsageReport {
  today: UsageCounts;
  total: UsageCounts;
  /** 0 means unlimited. */
  dailyTokenBudget: number;
  /** Null when unlimited. */
  remainingTokensToday: number | null;
}

const ZERO: UsageCounts = { requests: 0, promptTokens: 0, completionTokens: 0, cacheHits: 0 };

/** The UTC calendar day of `now`, as stored in `llm_usage.day`. */
export function usageDay(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/**
 * What LlmUsageService.record writes, as one statement (or a WITH clause of a
 * caller's statement): adds `delta` to the user's counters of today.
 */
export function usageUpsert(
  userId: string,
  delta: Partial<UsageCounts>,
): { sql: string; params: unknown[] } {
  const d = { ...ZERO, ...delta };
  return {
    sql: `insert into "llm_usage" ("user_id", "day", "requests", "prompt_tokens", "completion_tokens", "cache_hits")
      values (?, ?, ?, ?, ?, ?)
      on conflict ("user_id", "day") do update set
        "requests" = "llm_usage"."requests" + excluded."requests",
        "prompt_tokens" = "llm_usage"."prompt_tokens" + excluded."prompt_tokens",
        "completion_tokens" = "llm_usage"."completion_tokens" + excluded."completion_tokens",
        "cache_hits" = "llm_usage"."cache_hits" + excluded."cache_hits"`,
    params: [userId, usageDay(), d.requests, d.promptTokens, d.completionTokens, d.cacheHits],
  };
}

/** Sums of usage counters (a turn's attempts). */
export function addUsage(a: UsageCounts | undefined, b: Partial<UsageCounts>): UsageCounts {
  const sum = { ...ZERO, ...a };
  for (const key of Object.keys(ZERO) as (keyof UsageCounts)[]) sum[key] += b[key] ?? 0;
  return sum;
}

/**
 * Model usage per account and UTC day, and the daily token budget. Every write
 * is one atomic upsert that adds to the row, so concurrent calls never lose counts.
 * It runs on its own connection, never inside a caller's transaction: usage
 * is paid for whether or not the turn that used it commits.
 */
@Injectable()
export class LlmUsageService {
  private readonly logger = new Logger(LlmUsageService.name);

  constructor(
    private readonly em: EntityManager,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  get dailyTokenBudget(): number {
    return this.config.llm.dailyTokenBudget;
  }

  /** Adds to today's counters. Never throws: losing a count must not fail a turn. */
  async record(userId: string, delta: Partial<UsageCounts>): Promise<void> {
    const { sql, params } = usageUpsert(userId, delta);
    try {
      await this.em.getConnection().execute(sql, params);
    } catch (error) {
      this.logger.warn(`usage not recorded: ${(error as Error).message}`);
    }
  }

  /** Prompt plus completion tokens spent today. */
  async tokensToday(userId: string): Promise<number> {
    const rows = await this.em
      .getConnection()
      .execute<{ tokens: string | number | null }[]>(
        `select "prompt_tokens" + "completion_tokens" as "tokens" from "llm_usage" where "user_id" = ? and "day" = ?`,
        [userId, usageDay()],
      );
    return Number(rows[0]?.tokens ?? 0);
  }

  /**
   * Whether the user has spent the day's budget (always false when unlimited). A soft
   * limit: checked before each call, so calls already running may overshoot it a little.
   * Fails open: a budget that cannot be read must not take the model away.
   * `spentToday`: the tokens today as the caller just read them, if it did.
   */
  async overBudget(userId: string, spentToday?: number): Promise<boolean> {
    const budget = this.dailyTokenBudget;
    if (budget <= 0) return false;
    if (spentToday !== undefined) return spentToday >= budget;
    try {
      return (await this.tokensToday(userId)) >= budget;
    } catch (error) {
      this.logger.warn(`budget not checked: ${(error as Error).message}`);
      return false;
    }
  }

  async report(userId: string): Promise<UsageReport> {
    const rows = await this.em.getConnection().execute<Record<string, string | number | null>[]>(
      `select
         coalesce(sum("requests") filter (where "day" = ?), 0) as "today_requests",
         coalesce(sum("prompt_tokens") filter (where "day" = ?), 0) as "today_prompt",
         coalesce(sum("completion_tokens") filter (where "day" = ?), 0) as "today_completion",
         coalesce(sum("cache_hits") filter (where "day" = ?), 0) as "today_hits",
         coalesce(sum("requests"), 0) as "total_requests",
         coalesce(sum("prompt_tokens"), 0) as "total_prompt",
         coalesce(sum("completion_tokens"), 0) as "total_completion",
         coalesce(sum("cache_hits"), 0) as "total_hits"
       from "llm_usage" where "user_id" = ?`,
      [...Array(4).fill(usageDay()), userId],
    );
    const r = rows[0] ?? {};
    // GraphQL Int is 32-bit: a lifetime total past it reads as the maximum, not an error.
    const n = (key: string) => Math.min(Number(r[key] ?? 0), 2 ** 31 - 1);
    const today = {
      requests: n('today_requests'),
      promptTokens: n('today_prompt'),
      completionTokens: n('today_completion'),
      cacheHits: n('today_hits'),
    };
    const budget = this.dailyTokenBudget;
    return {
      today,
      total: {
        requests: n('total_requests'),
        promptTokens: n('total_prompt'),
        completionTokens: n('total_completion'),
        cacheHits: n('total_hits'),
      },
      dailyTokenBudget: budget,
      remainingTokensToday:
        budget > 0 ? Math.max(0, budget - today.promptTokens - today.completionTokens) : null,
    };
  }
}
