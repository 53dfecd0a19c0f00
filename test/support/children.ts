import type { ChildProcess } from "node:child_process";

// Servers a suite starts (next start, redis-server, pgbouncer) end with the test process that
// started them, also when a suite's setup failed before it kept a handle to stop them (one of
// several servers started together threw): otherwise they outlive the run, holding ports and CPU.
const running = new Map<ChildProcess, (child: ChildProcess) => void>();
let hooked = false;

function killAll() {
  for (const [child, kill] of running) kill(child);
}

// `kill`: how to end it (a detached stack ends with its whole process group).
export function endWithThisProcess<T extends ChildProcess>(child: T, kill: (child: ChildProcess) => void = (c) => c.kill("SIGKILL")): T {
  running.set(child, kill);
  child.once("exit", () => running.delete(child));
  if (!hooked) {
    hooked = true;
    process.once("exit", killAll);
    // A test worker is ended with a signal as often as it exits.
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.once(signal, () => {
        killAll();
        process.exit(1);
      });
    }
  }
  return child;
}
