import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Only because the built copy (examples/host-app) lives inside the next-cart repository: without
  // it Next takes the repository (the outer lockfile) for the workspace root. A standalone app
  // needs nothing here.
  turbopack: { root: __dirname },
};

export default nextConfig;
