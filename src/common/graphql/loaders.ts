import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';

/**
 * Where one request's DataLoaders live. The GraphQL context gets a fresh registry
 * per HTTP request and per subscription operation (graphql.options.ts), so
 * batches and caches never span two requests or two users. Each module keeps its
 * own loader set here, created on first use.
 */
export class LoaderRegistry {
  private readonly sets = new Map<object, unknown>();

  /** The loader set `owner` builds with `create`, made once per request. */
  get<T>(owner: object, create: () => T): T {
    if (!this.sets.has(owner)) this.sets.set(owner, create());
    return this.sets.get(owner) as T;
  }
}

/** The current request's LoaderRegistry, as a resolver parameter. */
export const Loaders = createParamDecorator(
  (_: unknown, context: ExecutionContext): LoaderRegistry => {
    const ctx = GqlExecutionContext.create(context).getContext<{ loaders?: LoaderRegistry }>();
    if (!ctx.loaders) throw new Error('The GraphQL context has no loader registry');
    return ctx.loaders;
  },
);
