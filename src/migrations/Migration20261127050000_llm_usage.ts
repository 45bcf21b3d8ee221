import { Migration } from '@mikro-orm/migrations';

/** Model usage per account and UTC day: requests, tokens and cache hits (budgets read it). */
export class Migration20261127050000_llm_usage extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "llm_usage" (
        "user_id" uuid not null,
        "day" date not null,
        "requests" int not null default 0,
        "prompt_tokens" bigint not null default 0,
        "completion_tokens" bigint not null default 0,
        "cache_hits" int not null default 0,
        constraint "llm_usage_pkey" primary key ("user_id", "day"),
        constraint "llm_usage_counts_check" check (requests >= 0 AND prompt_tokens >= 0 AND completion_tokens >= 0 AND cache_hits >= 0),
        constraint "llm_usage_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade
      );`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "llm_usage" cascade;`);
  }
}
