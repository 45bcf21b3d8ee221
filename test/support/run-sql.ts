import { Client } from 'pg';

/**
 * One SQL statement on the run's database through a fresh connection, for tests
 * whose servers run in other processes (or whose database was just restarted).
 */
export async function runSql<T = Record<string, any>>(
  query: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({
    connectionString: process.env.DATABASE_URL!,
    connectionTimeoutMillis: 5_000,
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(query, params)).rows;
  } finally {
    await client.end();
  }
}
