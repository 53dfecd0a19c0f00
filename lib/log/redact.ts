// Redaction of everything a log line carries, before it is written: secrets
// under sensitive names, secrets inside strings (recovery links, `token=`
// query values, cookie headers, password hashes) and errors reduced to what
// an operator needs. Pure, so the unit tests pin it down; pino's own
// `redact` paths in logger.ts are a second layer for the same names.
export const REDACTED = "[redacted]";

// Names whose value is a secret whatever it holds (cookies, credentials, tokens, hashes).
const SENSITIVE_KEY = /^(cookie|set-cookie|cookies|authorization|proxy-authorization|password|passwd|newpassword|hash|passwordhash|password_hash|token|tokens|accesstoken|access_token|refreshtoken|refresh_token|idtoken|id_token|sessiontoken|csrftoken|csrf_token|secret|secrets|clientsecret|client_secret|apikey|api_key|x-api-key|x-upstash-token)$/i;

// postgres.js errors carry the statement and its bound values (emails, hashes, token ids).
const DROPPED_ERROR_FIELDS = new Set(["query", "parameters", "args", "types", "detail", "where", "input"]);

const MAX_DEPTH = 6;

// Secrets that can hide inside any string: link tokens, cookie headers, bearer tokens, argon2 hashes.
export function scrubString(text: string): string {
  return (
    text
      // `token=…` in any URL or form body (recovery links: /cart/recover?token=…), and `csrfToken=…`.
      .replace(/((?:^|[?&;\s"'])[\w.-]*token=)[^&\s"';]+/gi, `$1${REDACTED}`)
      .replace(/(password=)[^&\s"';]+/gi, `$1${REDACTED}`)
      // A Cookie or Set-Cookie header pasted into a message: every value after a cookie name.
      .replace(/((?:__Host-|__Secure-)?(?:authjs\.|next-auth\.|cart_session)[\w.-]*=)[^;\s"',]+/gi, `$1${REDACTED}`)
      // The whole credential: everything up to whitespace, a quote or a separator (`!`, `%`, `$` included).
      .replace(/\b(Bearer|Basic)\s+[^\s"',;]+/gi, `$1 ${REDACTED}`)
      // Credentials in a URL (postgres://user:pass@host, redis://:pass@host, https://user@host).
      .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#"']+@/gi, `$1${REDACTED}@`)
      .replace(/\$argon2(?:id|i|d)\$[^\s"']+/g, REDACTED)
      // Sealed iron-session values (our cookie, recovery tokens) are recognisable by their prefix.
      .replace(/Fe26\.2\*[\w*~.-]+/g, REDACTED)
  );
}

// An error as a plain object: type, message, code, stack and cause; never a postgres error's statement or values.
export function redactError(err: unknown, depth = 0): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: scrubString(String(err)) };
  const out: Record<string, unknown> = { type: err.name, message: scrubString(err.message) };
  const extra = err as unknown as Record<string, unknown>;
  for (const key of ["code", "severity", "routine", "constraint_name", "table_name", "column_name", "type", "kind", "status"]) {
    const value = extra[key];
    if (value !== undefined && value !== null && (typeof value === "string" || typeof value === "number")) {
      out[key === "type" ? "errorType" : key] = typeof value === "string" ? scrubString(value) : value;
    }
  }
  if (err.stack) out.stack = scrubString(err.stack);
  if (err.cause !== undefined && depth < 3) out.cause = redactError(err.cause, depth + 1);
  return out;
}

// A deep copy of `value` with every secret replaced by "[redacted]".
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrubString(value);
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Error) return redactError(value);
  if (depth >= MAX_DEPTH) return "[too deep]";
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Headers) return redact(Object.fromEntries(value.entries()), depth);
  if (value instanceof URL) return scrubString(value.href);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (SENSITIVE_KEY.test(key)) out[key] = REDACTED;
    else if (DROPPED_ERROR_FIELDS.has(key) && looksLikeDatabaseError(value)) continue;
    else out[key] = redact(v, depth + 1);
  }
  return out;
}

// A postgres error copied into a plain object (spread, JSON round trip) still has its severity and code.
function looksLikeDatabaseError(value: object): boolean {
  return "severity" in value && "code" in value;
}
