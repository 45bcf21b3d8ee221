import type { GqlResult, TestApp } from './test-app';

/** Statements the app sends to the database while `run` runs (MikroORM's onQuery hook). */
export async function statementsDuring(app: TestApp, run: () => Promise<unknown>): Promise<number> {
  const config = app.orm.config;
  const original = config.get('onQuery');
  let count = 0;
  config.set('onQuery', (sql: string, params: unknown[]) => {
    count++;
    return original(sql, params);
  });
  try {
    await run();
  } finally {
    config.set('onQuery', original);
  }
  return count;
}

/** The same for one GraphQL call that must succeed. */
export async function countStatements(
  app: TestApp,
  run: () => Promise<GqlResult>,
): Promise<number> {
  let res: GqlResult = {};
  const count = await statementsDuring(app, async () => (res = await run()));
  expect(res.errors).toBeUndefined();
  return count;
}
