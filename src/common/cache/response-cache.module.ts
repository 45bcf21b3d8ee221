import { Global, Module, OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { CacheInvalidation } from './cache-invalidation';
import { CacheResultInterceptor } from './cache-result';
import { ResponseCache } from './response-cache';

/** The GraphQL response cache: @CacheResult / cacheField, invalidated on commit. */
@Global()
@Module({
  providers: [ResponseCache, CacheInvalidation, CacheResultInterceptor],
  exports: [ResponseCache, CacheResultInterceptor],
})
export class ResponseCacheModule implements OnApplicationBootstrap {
  constructor(
    private readonly cache: ResponseCache,
    private readonly moduleRef: ModuleRef,
  ) {}

  onApplicationBootstrap(): void {
    // GraphQLModule keeps its schema host to itself: look it up across modules.
    const host = this.moduleRef.get(GraphQLSchemaHost, { strict: false });
    this.cache.attach(host.schema);
  }
}
