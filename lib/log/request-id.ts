// Request ids: the `X-Request-Id` a trusted proxy sent, or one made here.
// No imports beyond the platform: lib/http/node-requests.ts assigns ids before Next.js reads a request.
export const REQUEST_ID_HEADER = "x-request-id";

// Short and plain: it goes into every log line and a response header, so nothing that could inject or bloat them.
const VALID = /^[A-Za-z0-9._-]{1,128}$/;

export function isValidRequestId(value: string | null | undefined): value is string {
  return typeof value === "string" && VALID.test(value);
}

export function newRequestId(): string {
  return crypto.randomUUID();
}

// The incoming id only when a trusted proxy set it (TRUST_PROXY) and it is well formed; else a new one.
export function chooseRequestId(incoming: string | null, trustProxy: boolean): string {
  return trustProxy && isValidRequestId(incoming) ? incoming : newRequestId();
}
