import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { ConfigError, loadConfig } from '../config/env';
import { ormOptions } from '../infra/database/orm.options';

/** `npm run migrate`: applies pending migrations to DATABASE_URL and exits. */
async function migrate(): Promise<void> {
  const { config } = loadConfig();
  if (!config.database.url) {
    console.error('DATABASE_URL is not set (the embedded database migrates itself at start)');
    process.exit(1);
  }
  const orm = await MikroORM.init(ormOptions({ url: config.database.url, poolSize: 1 }));
  try {
    const applied = await orm.getMigrator().up();
    console.log(
      applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}` : 'schema is up to date',
    );
  } finally {
    await orm.close();
  }
}

migrate().catch((error: unknown) => {
  console.error(
    error instanceof ConfigError ? error.message : `migration failed: ${(error as Error).message}`,
  );
  process.exit(1);
});
