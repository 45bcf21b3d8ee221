import { MikroORM } from '@mikro-orm/postgresql';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { DynamicModule, Logger, Module, OnModuleInit } from '@nestjs/common';
import { DatabaseTarget, ormOptions } from './orm.options';
import { useNamedStatements } from './prepared';

export interface DatabaseModuleOptions extends DatabaseTarget {
  migrateOnStart: boolean;
}

/** Brings the schema up to date before the server accepts its first request. */
class MigrateOnStart implements OnModuleInit {
  private readonly logger = new Logger('Database');

  constructor(
    private readonly orm: MikroORM,
    private readonly enabled: boolean,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.enabled) return;
    const applied = await this.orm.getMigrator().up();
    if (applied.length > 0) this.logger.log(`applied ${applied.length} migration(s)`);
  }
}

@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [MikroOrmModule.forRoot({ ...ormOptions(options), registerRequestContext: true })],
      providers: [
        {
          provide: MigrateOnStart,
          inject: [MikroORM],
          useFactory: (orm: MikroORM) => new MigrateOnStart(orm, options.migrateOnStart),
        },
        {
          provide: 'NAMED_STATEMENTS',
          inject: [MikroORM],
          useFactory: (orm: MikroORM) =>
            useNamedStatements(orm.config, options.namedStatements ?? true),
        },
      ],
    };
  }
}
