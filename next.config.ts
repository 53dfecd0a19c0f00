import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native / connection-holding packages must stay out of the server bundle.
  serverExternalPackages: ["@electric-sql/pglite", "postgres", "redis", "@node-rs/argon2", "prom-client"],
  poweredByHeader: false,
  reactStrictMode: true,
  // The build runs eslint and tsc itself in `npm test`; keep `next build` focused.
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
