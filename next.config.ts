import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native / connection-holding packages must stay out of the server bundle.
  serverExternalPackages: ["@electric-sql/pglite", "postgres", "redis", "@node-rs/argon2"],
  poweredByHeader: false,
  // Server action bodies, like the API's JSON bodies, stop at 16 KiB (proxy.ts answers 413 when Content-Length says more).
  experimental: { serverActions: { bodySizeLimit: "16kb" } },
  reactStrictMode: true,
  // The build runs eslint and tsc itself in `npm test`; keep `next build` focused.
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
