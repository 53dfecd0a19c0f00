import path from "node:path";
import type { NextConfig } from "next";

// The direct bench's floor app (bench/floor-app): a separate, minimal Next.js app built and
// served from the repository's own node_modules (bench/floor.mts builds it when missing or stale).
// This file must exist: without it Next finds the repository's next.config.ts above this directory
// and builds with the demo's settings.
const root = path.join(__dirname, "..", "..");

const nextConfig: NextConfig = {
  // The workspace is the repository (its lockfile and node_modules), said outright so Next neither
  // guesses nor warns; Turbopack cannot reach node_modules from a narrower root. Both must agree.
  turbopack: { root },
  outputFileTracingRoot: root,
  // Turbopack looks for instrumentation.ts (and a proxy) from this directory up to its root, so with
  // plain `.ts` routes it would find and build the repository's own instrumentation.ts (the demo's
  // start-up, which the floor must not run). The route file is therefore route.floor.ts.
  pageExtensions: ["floor.ts"],
  // Build output under the repository's .data/ (gitignored, and not walked by `eslint bench`).
  distDir: path.relative(__dirname, path.join(root, ".data", "bench-floor-app")),
  poweredByHeader: false,
};

export default nextConfig;
