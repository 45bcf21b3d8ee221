import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FieldMiddleware, GqlExecutionContext, MiddlewareContext } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { from, lastValueFrom, Observable } from 'rxjs';
import type { AuthUser } from '../auth/auth-user';
import { DependsOn, type TagsOf } from './operation-cache';
import { CacheResultOptions, ResponseCache, responseCacheFor } from './response-cache';

const CACHE_RESULT = 'loremaster:cache-result';

type UserContext = { req?: { user?: AuthUser } };

/**
 * Caches a query's result (see ResponseCache). Guards still run on a hit; the
 * cached value is plain data, so the type's own field resolvers must read only
 * columns and `{ id }` references of what the query returned.
 */
export function CacheResult<Args = Record<string, unknown>>(
  options: CacheResultOptions<Args, undefined>,
): MethodDecorator {
  return applyDecorators(
    SetMetadata(CACHE_RESULT, options),
    UseInterceptors(CacheResultInterceptor),
    // The same tags let a whole query that reads it be cached too (OperationCache).
    DependsOn(options.tags as TagsOf),
  );
}

/**
 * The same for a @ResolveField (`{ middleware: [cacheField(...)] }`): field
 * resolvers run no interceptors, but they do run field middleware. The parent's
 * id is part of the key.
 */
export function cacheField<Parent = unknown, Args = Record<string, unknown>>(
  options: CacheResultOptions<Args, Parent>,
): FieldMiddleware {
  return (ctx: MiddlewareContext, next) => {
    const cache = responseCacheFor(ctx.info.schema);
    if (!cache?.enabled) return next();
    const call = {
      field: `${ctx.info.parentType.name}.${ctx.info.fieldName}`,
      args: ctx.args as Record<string, unknown>,
      parent: ctx.source,
      user: (ctx.context as UserContext).req?.user,
    };
    return cache.through(options as CacheResultOptions<never, never>, call, () =>
      Promise.resolve(next()),
    );
  };
}

@Injectable()
export class CacheResultInterceptor implements NestInterceptor {
  constructor(
    private readonly cache: ResponseCache,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const options = this.reflector.get<CacheResultOptions<never, never> | undefined>(
      CACHE_RESULT,
      context.getHandler(),
    );
    if (!options || !this.cache.enabled || context.getType<string>() !== 'graphql') {
      return next.handle();
    }
    const gql = GqlExecutionContext.create(context);
    const info = gql.getInfo<GraphQLResolveInfo>();
    const call = {
      field: `${info.parentType.name}.${info.fieldName}`,
      args: gql.getArgs<Record<string, unknown>>(),
      parent: undefined,
      user: gql.getContext<UserContext>().req?.user,
    };
    return from(this.cache.through(options, call, () => lastValueFrom(next.handle())));
  }
}
