import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// `npm run bench -- --quick` runs to the end and writes its table, page and chart. CI never
// judges the figures (the machine is shared): only that every scenario ran and was reported.
const SCENARIOS = ["floor", "read", "add", "update", "browse", "mixed", "live-", "spike", "failover"];

let child: ChildProcess | undefined;

function runBench(out: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    child = spawn("npm", ["run", "--silent", "bench", "--", "--quick", "--out", out], {
      cwd: process.cwd(),
      env: process.env,
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group, so a stop reaches the bench under npm too.
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("npm run bench -- --quick", () => {
  let out = "";
  afterAll(async () => {
    // Still running after a failure: SIGTERM makes the bench stop its stack and drop its database.
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once("exit", r));
      process.kill(-child.pid!, "SIGTERM");
      await exited;
    }
    if (out) await rm(out, { recursive: true, force: true });
  });

  it("runs every scenario and writes the table, the Markdown page and the SVG chart", { timeout: 150_000 }, async () => {
    out = await mkdtemp(path.join(os.tmpdir(), "bench-smoke-"));
    const run = await runBench(out);
    expect(run.code, run.stderr).toBe(0);
    const header = run.stdout.split("\n")[0]!;
    for (const column of ["scenario", "req/s", "p50 ms", "p99 ms", "max ms", "errors", "shed", "×floor"]) expect(header).toContain(column);
    for (const name of SCENARIOS) expect(run.stdout).toMatch(new RegExp(`^${name}`, "m"));

    const files = await readdir(out);
    const day = files.find((f) => /^\d{4}-\d{2}-\d{2}\.md$/.test(f))?.slice(0, 10);
    expect(day).toBeDefined();
    for (const file of [`${day}.md`, `${day}.svg`, "latest.md", "latest.svg"]) expect(existsSync(path.join(out, file))).toBe(true);
    const page = await readFile(path.join(out, "latest.md"), "utf8");
    for (const section of ["## Spike", "## Live sessions", "## Failover", "## Per-request costs"]) expect(page).toContain(section);
    expect(await readFile(path.join(out, "latest.svg"), "utf8")).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<polyline[\s\S]*<\/svg>\n$/);
  });
});
