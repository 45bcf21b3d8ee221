import { Global, Module, OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { CacheInvalidation } from './cache-invalidation';
import { AuthModule } from '../../modules/auth/auth.module';
import { CacheResultInterceptor } from './cache-result';
import { OperationCache } from './operation-cache';
import { ResponseCache } from './response-cache';

/** The GraphQL response cache: @CacheResult / cacheField / @DependsOn, invalidated on commit. */
@Global()
@Module({
  imports: [AuthModule],
  providers: [ResponseCache, CacheInvalidation, CacheResultInterceptor, OperationCache],
  exports: [ResponseCache, CacheInvalidation, CacheResultInterceptor, OperationCache],
})
export class ResponseCacheModule implements OnApplicationBootstrap {
  constructor(
    private readonly cache: ResponseCache,
    private readonly operations: OperationCache,
    private readonly moduleRef: ModuleRef,
  ) {}

  onApplicationBootstrap(): void {
    // GraphQLModule keeps its schema host to itself: look it up across modules.
    const host = this.moduleRef.get(GraphQLSchemaHost, { strict: false });
    this.cache.attach(host.schema);
    this.operations.attach(host.schema);
  }
}
