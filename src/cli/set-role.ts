import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { ConfigError, loadConfig } from '../config/env';
import { startEmbeddedPostgres } from '../infra/database/embedded-postgres';
import { ormOptions } from '../infra/database/orm.options';
import { Role } from '../modules/auth/role.enum';

/**
 * `npm run set-role -- <username> <PLAYER|ADMIN>`: the one way to make an admin.
 * Works on DATABASE_URL, or on the embedded database in DATA_DIR (stop the server
 * first: PGlite's files belong to one process at a time). The new role is in the
 * user's tokens from their next login or refresh.
 */
async function setRole(): Promise<void> {
  const [username, role] = process.argv.slice(2);
  if (!username || !Object.values(Role).includes(role as Role)) {
    console.error(`usage: npm run set-role -- <username> <${Object.values(Role).join('|')}>`);
    process.exit(2);
  }
  const { config } = loadConfig();
  const embedded = config.database.url
    ? undefined
    : await startEmbeddedPostgres(config.database.dataDir);
  const orm = await MikroORM.init(
    ormOptions({ url: config.database.url ?? embedded!.url, poolSize: 1 }),
  );
  try {
    // The embedded database migrates itself whenever it is opened, as at server start.
    if (embedded) await orm.getMigrator().up();
    const changed: { affectedRows: number } = await orm.em
      .getConnection()
      .execute(
        'update users set role = ? where lower(username) = lower(?)',
        [role, username],
        'run',
      );
    if (!changed.affectedRows) {
      console.error(`no user named "${username}"`);
      process.exitCode = 1;
    } else {
      console.log(`${username} is now ${role}`);
    }
  } finally {
    await orm.close();
    await embedded?.stop();
  }
}

setRole().catch((error: unknown) => {
  console.error(
    error instanceof ConfigError ? error.message : `set-role failed: ${(error as Error).message}`,
  );
  process.exit(1);
});
