/**
 * Checks, before the framework loads, that DATABASE_URL leads to a PostgreSQL
 * server that accepts us: a typo'd host or port, a server that is down or a
 * wrong password then stops the process at once with one line naming the
 * variable, instead of a stack trace from deep inside the ORM (or a hang on an
 * unreachable host).
 */
export class DatabaseUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUnreachableError';
  }
}

/** PostgreSQL's "database does not exist": MikroORM creates it at start (ensureDatabase). */
const UNDEFINED_DATABASE = '3D000';

export async function assertDatabaseReachable(url: string, timeoutMs: number): Promise<void> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  // A server dying mid-handshake emits 'error' on the client besides rejecting connect().
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    if (code === UNDEFINED_DATABASE) return;
    const reason = /timeout/i.test(message ?? '')
      ? `no answer within ${timeoutMs} ms (DB_CONNECT_TIMEOUT_MS)`
      : `${message ?? String(error)}${code ? ` (${code})` : ''}`;
    throw new DatabaseUnreachableError(
      `DATABASE_URL: cannot connect to PostgreSQL at ${where(url)}: ${reason}`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Host, port and database only: the URL may hold a password. */
function where(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}
