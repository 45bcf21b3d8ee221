import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormOptions } from '../../src/infra/database/orm.options';
import { startEmbeddedPostgres } from '../../src/infra/database/embedded-postgres';

/**
 * Embedded: builds one migrated PGlite data folder that each test file copies
 * (initdb takes seconds; a copy takes milliseconds), so every file boots the app
 * through the real embedded path on its own database.
 * Real servers: creates a fresh database for the run and migrates it.
 */
export default async function globalSetup(): Promise<void> {
  process.env.TZ = 'UTC';
  const root = mkdtempSync(join(tmpdir(), 'loremaster-test-'));
  process.env.LOREMASTER_TEST_ROOT = root;
  // Runs sharing one Redis (CI, parallel work trees) must not see each other's
  // keys: rate-limit counters and cached reads are per run.
  process.env.REDIS_KEY_PREFIX ??= `lm-test-${process.pid}`;

  if (process.env.DATABASE_URL) {
    const admin = new URL(process.env.DATABASE_URL);
    const name = `loremaster_test_${Date.now()}_${process.pid}`;
    execFileSync('psql', [
      admin.toString(),
      '-v',
      'ON_ERROR_STOP=1',
      '-qc',
      `create database "${name}"`,
    ]);
    const url = new URL(admin.toString());
    url.pathname = `/${name}`;
    process.env.LOREMASTER_TEST_ADMIN_URL = admin.toString();
    process.env.LOREMASTER_TEST_DB = name;
    process.env.DATABASE_URL = url.toString();
    await migrate(url.toString());
    return;
  }

  const template = join(root, 'template');
  const embedded = await startEmbeddedPostgres(template);
  try {
    await migrate(embedded.url);
  } finally {
    await embedded.stop();
  }
  process.env.LOREMASTER_TEST_TEMPLATE = template;
}

async function migrate(url: string): Promise<void> {
  const orm = await MikroORM.init(ormOptions({ url, poolSize: 1 }));
  try {
    await orm.getMigrator().up();
  } finally {
    await orm.close();
  }
  // MikroORM keeps entity metadata on globalThis; jest runs a lone test file in this
  // very process, where metadata from another realm breaks discovery. Start clean.
  for (const key of Object.keys(globalThis)) {
    if (key.startsWith('mikro-orm-')) delete (globalThis as Record<string, unknown>)[key];
  }
}
