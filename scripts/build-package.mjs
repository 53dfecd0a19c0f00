// npm run build:package — the installable module in dist/: tsc for lib/ (types, per-file
// "use client" kept), the stylesheet copied, the typed client bundled into one file that
// plain Node can import, and checks that every client component kept its directive and
// every entry point (and the embedded migrations) was built.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

// Every export whose source exists must have its built file (an entry added on a branch
// whose source is not merged yet, such as ./client, is left for its merge).
const sourceOf = (target) => target.replace(/^\.\/dist\//, "").replace(/\.d\.ts$|\.js$/, "");
const unbuilt = [];
const { exports: entries } = JSON.parse(readFileSync("package.json", "utf8"));
for (const entry of Object.values(entries)) {
  for (const target of typeof entry === "string" ? [entry] : Object.values(entry)) {
    if (!target.startsWith("./dist/")) continue;
    const source = sourceOf(target);
    const hasSource = [source, `${source}.ts`, `${source}.tsx`].some((file) => existsSync(file));
    if (hasSource && !existsSync(target)) unbuilt.push(target);
  }
}
if (!existsSync("dist/db/migrations.js")) unbuilt.push("./dist/db/migrations.js");
if (unbuilt.length > 0) {
  console.error(`not built: ${unbuilt.join(", ")}`);
  process.exit(1);
}
console.log("dist/ ready");
