// npm run build:package — the installable module in dist/: tsc for lib/ (types, per-file
// "use client" kept), the stylesheet copied, the typed client bundled into one file that
// plain Node can import, the `next-cart` command (package.json "bin") bundled the same way, and checks that every client component kept its directive and
// every entry point (and the embedded migrations) was built.
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

rmSync("dist", { recursive: true, force: true });
execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
if (existsSync("lib/react/styles.css")) cpSync("lib/react/styles.css", "dist/lib/react/styles.css");
// ESM throughout: the nearest package.json decides how Node and bundlers read dist/**/*.js.
writeFileSync("dist/package.json", JSON.stringify({ type: "module" }, null, 2) + "\n");

if (existsSync("lib/client/index.ts")) {
  const { build } = await import("esbuild");
  await build({
    entryPoints: ["lib/client/index.ts"],
    outfile: "dist/lib/client/index.js",
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    // zod is a dependency of the package: shared, not copied into the bundle.
    external: ["zod"],
    allowOverwrite: true,
    logLevel: "warning",
  });
}

// The `next-cart` command: one file Node runs as it is (tsc's per-file output keeps extensionless
// imports, which Node's ESM loader refuses), Node's own modules only, shebang kept.
if (existsSync("lib/cli/index.ts")) {
  const { build } = await import("esbuild");
  rmSync("dist/lib/cli", { recursive: true, force: true });
  await build({
    entryPoints: ["lib/cli/index.ts"],
    outfile: "dist/lib/cli/index.js",
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "warning",
  });
  chmodSync("dist/lib/cli/index.js", 0o755);
}

const missing = [];
for (const entry of readdirSync("lib/react", { recursive: true })) {
  const file = String(entry);
  if (!/\.tsx?$/.test(file)) continue;
  const source = readFileSync(path.join("lib/react", file), "utf8");
  if (!/^\s*["']use client["']/.test(source)) continue;
  const out = path.join("dist/lib/react", file.replace(/\.tsx?$/, ".js"));
  if (!/^\s*["']use client["']/.test(readFileSync(out, "utf8"))) missing.push(out);
}
if (missing.length > 0) {
  console.error(`"use client" lost in: ${missing.join(", ")}`);
  process.exit(1);
}

// Every export whose source exists must have its built file, and every command its file (an entry added on a branch
// whose source is not merged yet, such as ./client, is left for its merge).
const sourceOf = (target) => target.replace(/^\.\/dist\//, "").replace(/\.d\.ts$|\.js$/, "");
const unbuilt = [];
const { exports: entries, bin = {} } = JSON.parse(readFileSync("package.json", "utf8"));
for (const entry of Object.values(entries)) {
  for (const target of typeof entry === "string" ? [entry] : Object.values(entry)) {
    if (!target.startsWith("./dist/")) continue;
    const source = sourceOf(target);
    const hasSource = [source, `${source}.ts`, `${source}.tsx`].some((file) => existsSync(file));
    if (hasSource && !existsSync(target)) unbuilt.push(target);
  }
}
if (!existsSync("dist/db/migrations.js")) unbuilt.push("./dist/db/migrations.js");
for (const target of Object.values(bin)) if (!existsSync(target)) unbuilt.push(target);
if (unbuilt.length > 0) {
  console.error(`not built: ${unbuilt.join(", ")}`);
  process.exit(1);
}
console.log("dist/ ready");
