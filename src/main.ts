// Only light imports up here: the embedded database starts before the framework loads.
import type * as NestCommon from '@nestjs/common';
import type * as Bootstrap from './bootstrap';
import { ConfigError, loadConfig } from './config/env';
import { startEmbeddedPostgres } from './infra/database/embedded-postgres';
import { assertDatabaseReachable, DatabaseUnreachableError } from './infra/database/preflight';

async function main(): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      // One message naming every bad variable, then stop.
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const { config, warnings } = loaded;
  if (config.database.url) {
    // Before the framework loads: a database that is not there ends the process in milliseconds.
    try {
      await assertDatabaseReachable(config.database.url, config.database.connectTimeoutMs);
    } catch (error) {
      if (error instanceof DatabaseUnreachableError) {
        console.error(error.message);
        process.exit(1);
      }
      throw error;
    }
  }

  // The embedded database opens in its own thread while Node loads the framework (~1.5 s each here).
  const starting = config.database.url
    ? Promise.resolve(undefined)
    : startEmbeddedPostgres(config.database.dataDir);
  await import('reflect-metadata');
  const { Logger } = (await import('@nestjs/common')) as typeof NestCommon;
  const logger = new Logger('Loremaster');
  const { startApp } = (await import('./bootstrap')) as typeof Bootstrap;
  const running = await startApp(config, starting);
  // Once the app's JSON logger is in place, so these lines are JSON like every other.
  for (const warning of warnings) logger.warn(warning);
  const port = new URL(running.url).port;
  if (running.embedded) logger.log(`embedded PostgreSQL (PGlite) in ${config.database.dataDir}`);
  logger.log(
    `listening on ${config.host}:${port} ${Math.round(process.uptime() * 1000)} ms after launch; GraphQL at /graphql` +
      (config.graphql.playground ? ' (open it in a browser for the playground)' : ''),
  );

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal}: shutting down`);
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    running
      .close()
      .then(() => {
        clearTimeout(force);
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error(`shutdown failed: ${String(error)}`);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('Failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
