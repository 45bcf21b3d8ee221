import {
  ChangeSet,
  EntityManager,
  EventSubscriber,
  FlushEventArgs,
  MikroORM,
  TransactionEventArgs,
} from '@mikro-orm/core';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { INVALIDATION_RULES } from './cache-tags';
import { ResponseCache } from './response-cache';

/**
 * Invalidates cached reads from what the database actually committed: every
 * flush's change sets are mapped to tags (cache-tags.ts), and the tags are
 * bumped once the transaction commits, before the write returns to its caller.
 * So no write path can forget, and a client never reads its own change undone.
 * (Writes that bypass the unit of work, raw SQL or native updates, are not seen.)
 */
@Injectable()
export class CacheInvalidation implements EventSubscriber, OnModuleInit {
  /** Tags waiting for their transaction to commit, by root transaction. */
  private readonly pending = new WeakMap<object, Set<string>>();

  constructor(
    private readonly orm: MikroORM,
    private readonly cache: ResponseCache,
  ) {}

  onModuleInit(): void {
    this.orm.em.getEventManager().registerSubscriber(this);
  }

  async afterFlush({ em, uow }: FlushEventArgs): Promise<void> {
    const tags = new Set<string>();
    for (const change of uow.getChangeSets()) {
      const rule = INVALIDATION_RULES[change.name];
      if (rule) for (const tag of rule(change as ChangeSet<Record<string, unknown>>)) tags.add(tag);
    }
    await this.onCommit(em, tags);
  }

  /**
   * Bumps these tags once the transaction `em` runs in commits, together with what its
   * flushes touched (one invalidation per commit); at once outside a transaction. For
   * writes the change sets do not show (raw SQL).
   */
  async onCommit(em: EntityManager, tags: Iterable<string>): Promise<void> {
    const unique = new Set(tags);
    if (unique.size === 0) return;
    const trx = em.getTransactionContext<object>();
    if (!trx) {
      // Outside any transaction, the write has committed by now.
      await this.cache.invalidate(unique);
      return;
    }
    const root = rootTransaction(trx);
    const waiting = this.pending.get(root);
    if (waiting) for (const tag of unique) waiting.add(tag);
    else this.pending.set(root, unique);
  }

  async afterTransactionCommit({ transaction }: TransactionEventArgs): Promise<void> {
    const tags = transaction && this.pending.get(transaction as object);
    if (!tags) return;
    this.pending.delete(transaction as object);
    await this.cache.invalidate(tags);
  }

  afterTransactionRollback({ transaction }: TransactionEventArgs): void {
    if (transaction) this.pending.delete(transaction as object);
  }
}

/** A savepoint's outermost transaction (MikroORM links them with a private symbol). */
function rootTransaction(trx: object): object {
  let current = trx as Record<symbol, object>;
  for (;;) {
    const parent = Object.getOwnPropertySymbols(current).find(
      (symbol) => symbol.description === 'parentTransaction',
    );
    if (!parent) return current;
    current = current[parent] as Record<symbol, object>;
  }
}
