// The direct scenarios' floor app (bench/floor-app): built with the repository's own Next.js
// when its build is missing or was made from other sources or another Next.js version.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";

export const FLOOR_APP_DIR = path.join("bench", "floor-app");
// Its next.config.ts's distDir.
export const FLOOR_APP_DIST = path.join(".data", "bench-floor-app");
export const NEXT_BIN = path.join("node_modules", "next", "dist", "bin", "next");
const STAMP = path.join(FLOOR_APP_DIST, "bench-source.sha256");

// Every source file of the floor app (not next-env.d.ts, which the build writes) and Next's version.
async function sourceHash(): Promise<string> {
  const hash = createHash("sha256");
  const files = (await readdir(FLOOR_APP_DIR, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile() && e.name !== "next-env.d.ts")
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  for (const file of files) hash.update(`${file}\0`).update(await readFile(file)).update("\0");
  const next = JSON.parse(await readFile(path.join("node_modules", "next", "package.json"), "utf8")) as { version: string };
  return hash.update(`next@${next.version}`).digest("hex");
}

export async function ensureFloorApp(log: (line: string) => void): Promise<void> {
  const wanted = await sourceHash();
  const built = await readFile(STAMP, "utf8").catch(() => "");
  if (built.trim() === wanted && existsSync(path.join(FLOOR_APP_DIST, "BUILD_ID"))) return;
  log(`building ${FLOOR_APP_DIR} (${built ? "its sources or Next.js changed" : "no build yet"})…`);
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [NEXT_BIN, "build", FLOOR_APP_DIR], {
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (d: Buffer) => output.push(d.toString()));
    child.stderr.on("data", (d: Buffer) => output.push(d.toString()));
    child.once("error", reject);
    child.once("exit", resolve);
  });
  if (code !== 0) throw new Error(`next build ${FLOOR_APP_DIR} exited with ${code}:\n${output.join("")}`);
  // After the build, which empties its output directory first.
  await writeFile(STAMP, `${wanted}\n`);
}
