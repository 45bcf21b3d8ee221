/**
 * Socket errors of the pool's connections arrive raw (not as DriverException). Nothing
 * else lets them reach a resolver: cache and PubSub calls swallow theirs, the LLM client wraps its own.
 * Those of a connection that could not be opened or used: nothing was sent on it.
 */
const NEVER_SENT_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** Those of a connection that broke under way: what was sent may have run. */
const IN_FLIGHT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE']);

/** SQLSTATEs: admin/crash shutdown, cannot connect now, serialization failure, deadlock. */
const TRANSIENT_SQLSTATES = new Set(['57P01', '57P02', '57P03', '40001', '40P01']);

/** The driver's own errors (no SQLSTATE), as for the codes above. */
const NEVER_SENT_MESSAGES = [
  /not queryable/i,
  /timeout exceeded when trying to connect/i,
  /Timeout acquiring a connection/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];
const IN_FLIGHT_MESSAGES = [/Connection terminated/i];

function sqlstateOf(code: unknown): string | undefined {
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Database failures after which the same call may simply be sent again: the
 * server could not reach PostgreSQL, lost the connection before committing, or
 * PostgreSQL rolled the transaction back (shutdown, serialization failure,
 * deadlock). Every state change here runs in one transaction (or is one
 * statement), so such a write left nothing behind.
 *
 * A connection lost *during* COMMIT is the one ambiguous case (the commit may
 * have landed): it is not retryable, and the client should re-read first. A COMMIT
 * that PostgreSQL itself answered with an error is not ambiguous: the backend holds
 * off shutdown signals while it commits and sends nothing between the commit and
 * COMMIT's reply, so an error reply (a shutdown's 57P01, a serialization failure)
 * means the transaction was rolled back.
 */
export function isRetryableDatabaseError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, message } = error as Error & { code?: unknown };
  const sqlstate = sqlstateOf(code);
  // knex prefixes a failed statement's message with its SQL.
  if (/^COMMIT;? - /i.test(message))
    return sqlstate !== undefined && TRANSIENT_SQLSTATES.has(sqlstate);
  if (typeof code === 'string' && (NEVER_SENT_CODES.has(code) || IN_FLIGHT_CODES.has(code)))
    return true;
  // An error PostgreSQL itself raised is judged by its SQLSTATE alone (the message may quote
  // user data); class 08 is "connection exception".
  if (sqlstate) return TRANSIENT_SQLSTATES.has(sqlstate) || sqlstate.startsWith('08');
  return [...NEVER_SENT_MESSAGES, ...IN_FLIGHT_MESSAGES].some((pattern) => pattern.test(message));
}

/**
 * Whether the connection broke while a statement was on it, without an answer:
 * PostgreSQL may have run it to the end. For a statement that commits by itself
 * (a write outside a transaction) this is the ambiguous case of a lost COMMIT.
 */
export function lostInFlight(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, message } = error as Error & { code?: unknown };
  if (sqlstateOf(code)) return false;
  if (typeof code === 'string' && IN_FLIGHT_CODES.has(code)) return true;
  return IN_FLIGHT_MESSAGES.some((pattern) => pattern.test(message));
}
