// ISO 8601 times without constructing a Date each time: Next.js 16 wraps the Date constructor in
// a check of its own on every call, which the hot paths (a cached cart's every line, every
// request's log line) paid per request. One Date, set to each time in turn.
const scratch = new Date(0);

export function isoTime(ms: number): string {
  scratch.setTime(ms);
  return scratch.toISOString();
}
