import type { GqlResult, TestApp } from './test-app';

/** Statements the app sends to the database while `run` runs (MikroORM's onQuery hook). */
export async function countStatements(
  app: TestApp,
  run: () => Promise<GqlResult>,
): Promise<number> {
  const config = app.orm.config;
  const original = config.get('onQuery');
  let count = 0;
  config.set('onQuery', (sql: string, params: unknown[]) => {
    count++;
    return original(sql, params);
  });
  try {
    const res = await run();
    expect(res.errors).toBeUndefined();
  } finally {
    config.set('onQuery', original);
  }
  return count;
}
