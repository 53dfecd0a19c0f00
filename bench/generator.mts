// The load generator (bench/load.mts): one process of its own for the whole run, forked on first
// use, one scenario at a time over IPC.
import { fork, type ChildProcess } from "node:child_process";
import type { LoadResult, LoadSpecInput } from "./spec.mjs";

let generator: ChildProcess | undefined;

export function runLoad(spec: LoadSpecInput): Promise<LoadResult> {
  generator ??= fork("bench/load.mts", [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const child = generator;
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the load generator exited with ${code} during ${spec.scenario}`));
    child.once("exit", onExit);
    child.once("message", (message: { result?: LoadResult; error?: string }) => {
      child.off("exit", onExit);
      if (message.result) resolve(message.result);
      else reject(new Error(`load generator, ${spec.scenario}: ${message.error}`));
    });
    child.send(spec);
  });
}

// Done with it: it exits once disconnected.
export function stopGenerator(): void {
  generator?.disconnect();
  generator = undefined;
}
