/**
 * Database failures after which the same call may simply be sent again: the
 * server could not reach PostgreSQL, lost the connection before committing, or
 * PostgreSQL rolled the transaction back (shutdown, serialization failure,
 * deadlock). Every state change here runs in one transaction, so such a write
 * left nothing behind.
 *
 * A connection lost *during* COMMIT is the one ambiguous case (the commit may
 * have landed): it is not retryable, and the client should re-read first. A COMMIT
 * that PostgreSQL itself answered with an error is not ambiguous: the backend holds
 * off shutdown signals while it commits and sends nothing between the commit and
 * COMMIT's reply, so an error reply (a shutdown's 57P01, a serialization failure)
 * means the transaction was rolled back.
 */
/**
 * Socket errors of the pool's connection attempts arrive raw (not as DriverException). Nothing
 * else lets them reach a resolver: cache and PubSub calls swallow theirs, the LLM client wraps its own.
 */
const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** SQLSTATEs: admin/crash shutdown, cannot connect now, serialization failure, deadlock. */
const TRANSIENT_SQLSTATES = new Set(['57P01', '57P02', '57P03', '40001', '40P01']);

const TRANSIENT_MESSAGES = [
  /Connection terminated/i,
  /not queryable/i,
  /timeout exceeded when trying to connect/i,
  /Timeout acquiring a connection/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

export function isRetryableDatabaseError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, message } = error as Error & { code?: unknown };
  const sqlstate = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  // knex prefixes a failed statement's message with its SQL.
  if (/^COMMIT;? - /i.test(message))
    return sqlstate !== undefined && TRANSIENT_SQLSTATES.has(sqlstate);
  if (typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code)) return true;
  // An error PostgreSQL itself raised is judged by its SQLSTATE alone (the message may quote
  // user data); class 08 is "connection exception".
  if (sqlstate) return TRANSIENT_SQLSTATES.has(sqlstate) || sqlstate.startsWith('08');
  // The driver's own errors (no SQLSTATE): a connection that died or never came.
  return TRANSIENT_MESSAGES.some((pattern) => pattern.test(message));
}
