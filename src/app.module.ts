import { ApolloDriverConfig } from '@nestjs/apollo';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { AuthGuard } from './common/auth/auth.guard';
import { ResponseCacheModule } from './common/cache/response-cache.module';
import { RateLimitGuard } from './common/rate-limit/rate-limit.guard';
import { RateLimitModule } from './common/rate-limit/rate-limit.module';
import { GraphQLExceptionFilter } from './common/errors/graphql-exception.filter';
import { createValidationPipe } from './common/errors/validation';
import { ConfigModule } from './config/config.module';
import type { AppConfig } from './config/env';
import { graphqlOptions } from './config/graphql.options';
import { CacheModule } from './infra/cache/cache.module';
import { DatabaseModule, DatabaseModuleOptions } from './infra/database/database.module';
import { LlmModule } from './infra/llm/llm.module';
import { MetricsModule } from './infra/metrics/metrics.module';
import { ObservabilityModule } from './infra/observability/observability.module';
import { PubSubModule } from './infra/pubsub/pubsub.module';
import { AuthModule } from './modules/auth/auth.module';
import { EventsModule } from './modules/events/events.module';
import { GameMasterModule } from './modules/game-master/game-master.module';
import { HealthModule } from './modules/health/health.module';
import { InventoryModule } from './modules/inventory/inventory.module';
import { ItemsModule } from './modules/items/items.module';
import { PlayersModule } from './modules/players/players.module';
import { QuestsModule } from './modules/quests/quests.module';
import { WorldModule } from './modules/world/world.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, database: DatabaseModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(database),
        MetricsModule,
        ObservabilityModule,
        CacheModule,
        ResponseCacheModule,
        PubSubModule,
        RateLimitModule,
        LlmModule,
        GraphQLModule.forRootAsync<ApolloDriverConfig>(graphqlOptions),
        AuthModule,
        PlayersModule,
        WorldModule,
        ItemsModule,
        InventoryModule,
        QuestsModule,
        GameMasterModule,
        EventsModule,
        HealthModule,
      ],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        // After the AuthGuard: a signed-in caller is limited by user id.
        { provide: APP_GUARD, useExisting: RateLimitGuard },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: GraphQLExceptionFilter },
      ],
    };
  }
}
