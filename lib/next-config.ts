import { COMMON_SECURITY_HEADERS, HSTS, pageCsp } from "./http/security-headers";

// For the host's next.config.ts: the security headers of every page (and of its own routes).
//
//   import { securityHeaders } from "next-cart/next-config";
//   const nextConfig = { async headers() { return securityHeaders(); } };
//
// Every path gets nosniff, X-Frame-Options: DENY, Referrer-Policy strict-origin-when-cross-origin
// and the pages' Content-Security-Policy (lib/http/security-headers.ts pageCsp: 'self' plus the
// inline scripts Next.js's bootstrap needs, no 'unsafe-eval' in production, frame-ancestors
// 'none'); in production, Strict-Transport-Security too — browsers ignore it over plain HTTP, so
// it matters only where the site is reached over HTTPS (behind the gateway: nginx sends it as well).
// The module's own answers carry their own stricter CSP (`default-src 'none'`), which wins on them.
export interface SecurityHeaderOptions {
  // Defaults to process.env.NODE_ENV === "production".
  production?: boolean;
  // Extra sources pages connect to (fetch, EventSource) or load images from, e.g. a CDN.
  connect?: readonly string[];
  images?: readonly string[];
  // Paths that answer with a CSP of their own, left out of the pages' CSP (a next.config header
  // replaces a route handler's own).
  except?: readonly string[];
  // The module's routes (the cart's base path; default `/api`): they send every one of these
  // headers themselves (and a stricter CSP, `default-src 'none'`), so both rules leave them out
  // rather than have Next.js set them first on every API request.
  moduleRoutes?: readonly string[];
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function securityHeaders(options: SecurityHeaderOptions = {}): { source: string; headers: { key: string; value: string }[] }[] {
  const production = options.production ?? process.env.NODE_ENV === "production";
  const common = [...COMMON_SECURITY_HEADERS.map(([key, value]) => ({ key, value })), ...(production ? [{ key: "Strict-Transport-Security", value: HSTS }] : [])];
  const csp = { key: "Content-Security-Policy", value: pageCsp({ development: !production, connect: options.connect, images: options.images }) };
  // Every path but those under the given ones: /((?!api(?:/|$)).*) for the module's default.
  const outside = (paths: readonly string[]) => `/((?!${paths.map((p) => `${escape(p.replace(/^\/+|\/+$/g, ""))}(?:/|$)`).join("|")}).*)`;
  const moduleRoutes = options.moduleRoutes ?? ["/api"];
  return [
    { source: outside(moduleRoutes), headers: common },
    { source: outside([...moduleRoutes, ...(options.except ?? [])]), headers: [csp] },
  ];
}
