// The security headers every answer carries: the module's own (API, Auth.js, recovery form) get
// them from the pipeline (lib/http/request-context.ts); a host's pages get them from its
// next.config.ts through securityHeaders() (lib/next-config.ts, `next-cart/next-config`).
// No imports: next.config.ts loads this before anything else exists.

// Two years, subdomains included (the HSTS preload list's minimum is one): sent only in
// production and only on an answer that went out over HTTPS (as the browser reached us).
export const HSTS = "max-age=63072000; includeSubDomains";

// Pages: nonce-free, so every page stays static-capable and cacheable. Next.js's App Router puts
// its bootstrap and the RSC payload in inline <script> tags (self.__next_f.push), which only a
// nonce or 'unsafe-inline' admits; a nonce makes every page dynamic. So scripts are 'self' plus
// 'unsafe-inline' — never 'unsafe-eval' in production (React's development build needs it, so
// development adds it) — and nothing loads from, connects to or frames anything else. This is
// Next.js 16's documented CSP "without nonces", less `form-action 'self'`: Chromium applies that
// to a form's redirects too, and the GitHub sign-in is a form whose answer redirects to GitHub.
export function pageCsp(options: { development?: boolean; connect?: readonly string[]; images?: readonly string[] } = {}): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${options.development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    ["img-src 'self' data: blob:", ...(options.images ?? [])].join(" "),
    "font-src 'self' data:",
    // Development's hot reload speaks over a WebSocket to the same host.
    ["connect-src 'self'", ...(options.development ? ["ws:", "wss:"] : []), ...(options.connect ?? [])].join(" "),
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

// The module's JSON answers: nothing may load, run or frame them.
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

// The headers every answer shares (the CSP is the page's or the API's).
export const COMMON_SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ["X-Content-Type-Options", "nosniff"],
  ["X-Frame-Options", "DENY"],
  ["Referrer-Policy", "strict-origin-when-cross-origin"],
];

// Sets the module's headers on one of its answers (one it already gave its own CSP keeps it),
// and its X-Request-Id when given. Responses made by Response.redirect() (Auth.js's) have
// immutable headers: those are copied first.
export function withSecurityHeaders(res: Response, options: { hsts: boolean; requestId?: string }): Response {
  try {
    for (const [name, value] of COMMON_SECURITY_HEADERS) res.headers.set(name, value);
    if (!res.headers.has("content-security-policy")) res.headers.set("Content-Security-Policy", API_CSP);
    if (options.hsts) res.headers.set("Strict-Transport-Security", HSTS);
    if (options.requestId !== undefined) res.headers.set("X-Request-Id", options.requestId);
    return res;
  } catch {
    // Immutable headers (a fetched Response passed through): a copy that can take them.
    return withSecurityHeaders(new Response(res.body, res), options);
  }
}
