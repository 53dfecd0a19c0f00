// npm run example:build — what a developer does, from the packed tarball: build:package, npm pack,
// a fresh install of that tarball into examples/host-app, and next build there.
// Only the npm registry is reachable in CI; --prefer-offline reuses the root's npm cache.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";

const root = process.cwd();
const example = path.join(root, "examples/host-app");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

// The embedded default: the example never reaches for the root app's database or Redis.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^(CART_)?(DATABASE_URL|REDIS_URL|REDIS_CLUSTER_NODES|UPSTASH_REDIS_REST_\w+)$/.test(name)),
);

// build:package on its own, so its output never mixes with npm pack's JSON.
execFileSync(process.execPath, ["scripts/build-package.mjs"], { cwd: root, env, stdio: "inherit" });
const [packed] = JSON.parse(execFileSync(npm, ["pack", "--json", "--ignore-scripts"], { cwd: root, env, stdio: ["ignore", "pipe", "inherit"] }).toString());
const wanted = `file:../../${packed.filename}`;
const listed = JSON.parse(readFileSync(path.join(example, "package.json"), "utf8")).dependencies["next-cart"];
if (listed !== wanted) {
  console.error(`examples/host-app/package.json has "next-cart": "${listed}"; npm pack made ${packed.filename}, so it must be "${wanted}"`);
  process.exit(1);
}
console.log(`packed ${packed.filename}: ${packed.entryCount} files, ${(packed.size / 1024).toFixed(0)} KiB`);

// A re-pack keeps the version: drop the installed copy so npm unpacks the new tarball.
rmSync(path.join(example, "node_modules/next-cart"), { recursive: true, force: true });
execFileSync(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: example, env, stdio: "inherit" });
execFileSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], { cwd: example, env, stdio: "inherit" });
