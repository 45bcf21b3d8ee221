import { Migrator } from '@mikro-orm/migrations';
import { defineConfig } from '@mikro-orm/postgresql';
import type { Options } from '@mikro-orm/postgresql';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';

export interface DatabaseTarget {
  url: string;
  poolSize: number;
  /** Bound on opening one connection (pg's connectionTimeoutMillis); default 5 s. */
  connectTimeoutMs?: number;
  /** Hot statements as named prepared statements (prepared.ts); off for PGlite. */
  namedStatements?: boolean;
}

/** MikroORM options shared by the app, `npm run migrate` and the MikroORM CLI. */
export function ormOptions(target: DatabaseTarget): Options {
  return defineConfig({
    clientUrl: target.url,
    entities: ENTITIES,
    extensions: [Migrator],
    pool: { min: 0, max: target.poolSize },
    // Without it a connection to an unreachable host waits on TCP for minutes: at boot
    // the process would hang, and during an outage every request with it.
    driverOptions: { connection: { connectionTimeoutMillis: target.connectTimeoutMs ?? 5_000 } },
    forceUtcTimezone: true,
    allowGlobalContext: false,
    // Entities are declared with explicit types, so no TS reflection is needed at run time.
    discovery: { warnWhenNoEntities: true },
    migrations: {
      migrationsList: MIGRATIONS,
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      pathTs: 'src/migrations',
      path: 'dist/src/migrations',
      snapshot: false,
      silent: true,
    },
    debug: false,
  });
}
