process.setSourceMapsEnabled(false);
// The real server, in a child process, as `npm start` boots it (startApp), configured by the
// environment the orchestrator gives it. Besides serving, it answers over IPC: `sql` (setup on
// either engine, through the app's own pool) and `statements` (SQL sent since the last call).
import { MikroORM } from '@mikro-orm/postgresql';
import { startApp } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/env';
import { serveChild } from './harness';

async function main(): Promise<void> {
  const { config } = loadConfig(process.env);
  const running = await startApp(config);
  const orm = running.app.get(MikroORM);
  let statements = 0;
  let log: string[] = [];
  const original = orm.config.get('onQuery');
  orm.config.set('onQuery', (sql: string, params: unknown[]) => {
    statements++;
    if (log.length < 200) log.push(sql);
    return original(sql, params);
  });
  serveChild(
    { url: running.url, pid: process.pid },
    {
      sql: (query: string, params: unknown[] = []) => orm.em.getConnection().execute(query, params),
      statements: () => {
        const n = statements;
        statements = 0;
        log = [];
        return n;
      },
      /**
       * Baseline of the write bench: `concurrency` loops running one statement through the
       * app's own pool (same driver, same pool size) for `seconds`; statements per second.
       */
      sqlLoop: async (seconds: number, concurrency: number, query: string, params: unknown[]) => {
        const connection = orm.em.getConnection();
        const end = Date.now() + seconds * 1000;
        let done = 0;
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (Date.now() < end) {
              await connection.execute(query, params);
              done++;
            }
          }),
        );
        return done / seconds;
      },
      /** MikroORM's query log (with timings) on stdout, for a look at a few requests. */
      debugSql: (on: boolean) => orm.config.getLogger().setDebugMode(on ? ['query'] : false),
      /** The SQL text sent since the last `statements` call (first 200). */
      sqlLog: () => log,
    },
    () => running.close(),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
