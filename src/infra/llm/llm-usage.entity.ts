import { Check, Entity, ManyToOne, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';
import { User } from '../../modules/auth/user.entity';

/**
 * Model usage of one account on one UTC day. Written only by an atomic upsert
 * that adds to the counters (LlmUsageService), so concurrent calls never lose counts.
 */
@Entity({ tableName: 'llm_usage' })
@Check({
  name: 'llm_usage_counts_check',
  expression: 'requests >= 0 AND prompt_tokens >= 0 AND completion_tokens >= 0 AND cache_hits >= 0',
})
export class LlmUsageDay {
  [PrimaryKeyProp]?: ['user', 'day'];

  @ManyToOne(() => User, { primary: true, deleteRule: 'cascade' })
  user!: User;

  /** UTC calendar day, `YYYY-MM-DD`. */
  @PrimaryKey({ type: 'date' })
  day!: string;

  @Property({ type: 'integer', default: 0 })
  requests = 0;

  @Property({ type: 'bigint', default: 0 })
  promptTokens = '0';

  @Property({ type: 'bigint', default: 0 })
  completionTokens = '0';

  @Property({ type: 'integer', default: 0 })
  cacheHits = 0;
}
