// npm run example:build — what a stranger does, from the packed tarball: build:package and npm pack
// here; then in a copy of examples/bare-app (a Next.js app with no cart wiring) at
// examples/host-app: npm install of the tarball, `npx next-cart init`, next build. So the app
// that e2e/host-app drives is init's output, and next build type-checks the files init writes
// (the README's section shows the same text: test/unit/init.test.ts).
// Only the npm registry is reachable in CI; --prefer-offline reuses the root's npm cache, and
// examples/host-app keeps its node_modules between runs (only the copy's sources are replaced).
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";

const root = process.cwd();
const fixture = path.join(root, "examples/bare-app");
const example = path.join(root, "examples/host-app");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const started = performance.now();
const step = (name) => console.log(`[example:build] ${name} (${((performance.now() - started) / 1000).toFixed(1)} s)`);

// The embedded default: the example never reaches for the root app's database or Redis.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^(CART_)?(DATABASE_URL|REDIS_URL|REDIS_CLUSTER_NODES|UPSTASH_REDIS_REST_\w+)$/.test(name)),
);

// build:package on its own, so its output never mixes with npm pack's JSON.
execFileSync(process.execPath, ["scripts/build-package.mjs"], { cwd: root, env, stdio: "inherit" });
const [packed] = JSON.parse(execFileSync(npm, ["pack", "--json", "--ignore-scripts"], { cwd: root, env, stdio: ["ignore", "pipe", "inherit"] }).toString());
step(`packed ${packed.filename}: ${packed.entryCount} files, ${(packed.size / 1024).toFixed(0)} KiB`);

// A fresh copy of the fixture: everything but what installs and builds leave (kept for speed).
const kept = new Set(["node_modules", "package-lock.json", ".next"]);
mkdirSync(example, { recursive: true });
for (const entry of readdirSync(example)) if (!kept.has(entry)) rmSync(path.join(example, entry), { recursive: true, force: true });
const generated = new Set(["node_modules", "package-lock.json", ".next", ".data", "next-env.d.ts"]);
cpSync(fixture, example, { recursive: true, filter: (src) => !generated.has(path.basename(src)) });
if (existsSync(path.join(example, "lib/cart.ts"))) throw new Error("examples/bare-app must not hold the cart's wiring: next-cart init writes it");

// A re-pack keeps the version: drop the installed copy so npm unpacks the new tarball.
rmSync(path.join(example, "node_modules/next-cart"), { recursive: true, force: true });
const tarball = path.relative(example, path.join(root, packed.filename));
execFileSync(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], { cwd: example, env, stdio: "inherit" });
step("installed");

// As the README says: the package's own command, from the app's node_modules (--no: never fetched).
execFileSync(npm, ["exec", "--no", "--", "next-cart", "init"], { cwd: example, env, stdio: "inherit" });
step("next-cart init done");

execFileSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], { cwd: example, env, stdio: "inherit" });
step("built examples/host-app");
