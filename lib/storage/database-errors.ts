// Tells "the database is unreachable or overloaded right now" (answer 503,
// retry later) from everything else. postgres.js reports connection trouble
// with `code` strings; the server's own refusals carry SQLSTATEs.

// The connection itself is gone (or never came): postgres.js's codes, the socket's, and the
// server's ends of a session (57P: admin, crash shutdown, cannot connect now; class 08).
const connectionLostCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "57P01", // admin_shutdown (pg_terminate_backend)
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
]);

const READ_ONLY = "25006"; // read_only_sql_transaction (a primary being demoted, or a standby)

// Beside a lost connection: the server is there but cannot serve this now.
const busyCodes = new Set([
  "57014", // query_canceled (statement_timeout)
  "55P03", // lock_not_available (lock_timeout)
  "53300", // too_many_connections
  "40001", // serialization_failure
  "40P01", // deadlock_detected
  "25P03", // idle_in_transaction_session_timeout
  READ_ONLY,
]);

const codeOf = (err: unknown): string | undefined => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
};

const lostCode = (code: string) => connectionLostCodes.has(code) || code.startsWith("08");

// Whether the error, or one it wraps (Drizzle wraps the driver's), carries a code that `matches`.
function someCode(err: unknown, matches: (code: string) => boolean): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth += 1) {
    const code = codeOf(e);
    if (code !== undefined && matches(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export function isDatabaseUnavailable(err: unknown): boolean {
  return someCode(err, (code) => lostCode(code) || busyCodes.has(code));
}

// The node this connection reached takes no writes: a standby, or a primary being demoted.
export function isReadOnlyNode(err: unknown): boolean {
  return someCode(err, (code) => code === READ_ONLY);
}

// Whether this error says the connection that ran the statement is gone (a server's FATAL
// ends the session too): what ends a transaction in lib/storage/postgres-client.ts.
export function isConnectionLost(err: unknown): boolean {
  const code = codeOf(err);
  const severity = (err as { severity?: unknown } | null)?.severity;
  return (code !== undefined && lostCode(code)) || severity === "FATAL" || severity === "PANIC";
}
