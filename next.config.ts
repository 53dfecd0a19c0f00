import type { NextConfig } from "next";
import { securityHeaders } from "./lib/next-config";

const nextConfig: NextConfig = {
  // Native / connection-holding packages must stay out of the server bundle.
  serverExternalPackages: ["@electric-sql/pglite", "postgres", "redis", "@node-rs/argon2", "pino", "prom-client"],
  poweredByHeader: false,
  // Server action bodies, like the API's JSON bodies, stop at 16 KiB.
  experimental: { serverActions: { bodySizeLimit: "16kb" } },
  reactStrictMode: true,
  // `npm test` type-checks the whole repository once (npm run typecheck) before it builds:
  // the build does not run tsc a second time.
  typescript: { ignoreBuildErrors: true },
  // Every page: nosniff, DENY framing, the referrer policy, a CSP and (production) HSTS; a host
  // does the same with `securityHeaders` from "next-cart/next-config".
  async headers() {
    // The API reference (app/docs/api) sends its own, stricter policy; the module's routes (/api) all of their own.
    return securityHeaders({ except: ["/docs/api"] });
  },
};

export default nextConfig;
