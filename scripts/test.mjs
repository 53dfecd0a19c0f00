// npm test: the whole suite, as CI runs it, with each stage's time printed at the end.
//
//   1. lint, type-check and the production build, side by side (each is mostly one core);
//   2. unit, component and integration tests (vitest), and beside them: the example host app (the
//      packed module installed and wired by `next-cart init`, built, and its specs), then the
//      live-cart specs through `npm run stack` (nginx over HTTPS, two instances:
//      e2e/stack.playwright.config.ts);
//   3. end-to-end specs against the built demo in Chromium (playwright).
//
// Load scenarios (npm run test:load) and the benchmark (npm run bench) are not part of it.
import { spawn } from "node:child_process";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const timings = [];
const began = performance.now();

function run(name, args, { quiet = false } = {}) {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(npm, ["run", "--silent", ...args], { stdio: quiet ? ["ignore", "pipe", "pipe"] : "inherit", env: process.env });
    let output = "";
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    child.on("exit", (code) => {
      const seconds = (performance.now() - started) / 1000;
      timings.push({ name, seconds, ok: code === 0 });
      resolve({ name, code, output });
    });
  });
}

function report() {
  const total = (performance.now() - began) / 1000;
  process.stdout.write("\nnpm test stages:\n");
  for (const t of timings) process.stdout.write(`  ${t.ok ? "ok  " : "FAIL"} ${t.name.padEnd(28)} ${t.seconds.toFixed(0).padStart(5)} s\n`);
  process.stdout.write(`  total ${"".padEnd(28)} ${total.toFixed(0).padStart(5)} s\n`);
}

function stop(code) {
  report();
  process.exit(code);
}

// 1. Side by side, output kept until each is done so it never interleaves.
const first = await Promise.all([
  run("lint", ["lint"], { quiet: true }),
  run("typecheck", ["typecheck"], { quiet: true }),
  run("build", ["build"], { quiet: true }),
]);
for (const result of first) {
  if (result.code !== 0 || result.output.trim()) process.stdout.write(`\n── ${result.name} ──\n${result.output}\n`);
}
if (first.some((r) => r.code !== 0)) stop(1);

// 2. The suites, and beside them the example host app (built, then its specs) and the live-cart
// specs through the stack: the integration suites spend much of their time waiting (failovers,
// restarts, expiries), and these need only the CPU they leave. They touch nothing a suite reads
// (dist/, examples/host-app, a stack of their own on its own port and database). Their output is
// kept until they are done.
async function besideTheSuites() {
  for (const [name, args] of [
    ["example host app build (beside vitest)", ["example:build"]],
    ["playwright (host app, beside vitest)", ["test:e2e:host-app"]],
    ["playwright (through the stack, beside vitest)", ["test:e2e:stack"]],
  ]) {
    const result = await run(name, args, { quiet: true });
    if (result.code !== 0) return result;
  }
  return { code: 0 };
}
const [suites, beside] = await Promise.all([run("vitest (unit, integration)", ["test:suites"]), besideTheSuites()]);
if (beside.code !== 0) process.stdout.write(`\n── ${beside.name} ──\n${beside.output}\n`);
if (suites.code !== 0 || beside.code !== 0) stop(1);

// 3. The demo's specs, on their own: Chromium and the app share the two cores with nothing else.
const demo = await run("playwright (demo)", ["test:e2e"]);
stop(demo.code === 0 ? 0 : 1);
