import { readdirSync, readFileSync, realpathSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import type { Stack, StackPostgresNode } from "./stack";

/**
 * The pg_auto_failover formation of `npm run stack -- --postgres ha`
 * (deploy/postgres/formation.ts), seen from a test: each node asked directly,
 * the primary's postmaster killed, and nothing of the formation left running
 * after the stack has stopped.
 */

/** The database the formation's URL names. */
export const FORMATION_DATABASE = "cart";

export function nodeUrl(node: Pick<StackPostgresNode, "port">, database = FORMATION_DATABASE): string {
  return `postgres://postgres@127.0.0.1:${node.port}/${database}`;
}

async function ask<T>(node: StackPostgresNode, query: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(nodeUrl(node), { max: 1, onnotice: () => {}, connect_timeout: 2 });
  try {
    return await query(sql);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** Whether the node takes writes now (undefined when it does not answer). */
export async function isPrimary(node: StackPostgresNode): Promise<boolean | undefined> {
  try {
    const [row] = await ask(node, (sql) => sql<{ recovery: boolean }[]>`select pg_is_in_recovery() as recovery`);
    return row ? !row.recovery : undefined;
  } catch {
    return undefined;
  }
}

/** The primary's replication as it is now: its standby list and each standby's sync state. */
export async function replication(node: StackPostgresNode): Promise<{ synchronousStandbyNames: string; syncStates: string[]; synchronousCommit: string }> {
  return ask(node, async (sql) => {
    const [names] = await sql<{ s: string }[]>`select current_setting('synchronous_standby_names') as s`;
    const [commit] = await sql<{ s: string }[]>`select current_setting('synchronous_commit') as s`;
    const states = await sql<{ sync_state: string }[]>`select sync_state from pg_stat_replication`;
    return { synchronousStandbyNames: names?.s ?? "", synchronousCommit: commit?.s ?? "", syncStates: states.map((r) => r.sync_state) };
  });
}

/** Waits until one node takes writes; returns it. */
export async function waitForPrimary(nodes: StackPostgresNode[], ms: number): Promise<StackPostgresNode> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    for (const node of nodes) if (await isPrimary(node)) return node;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no node of the formation took writes within ${ms / 1000} s`);
}

/**
 * The node's postmaster now: its keeper restarts Postgres after a crash, so the pid
 * in postmaster.pid may no longer be the one the stack printed.
 */
export function postmasterPid(stack: Pick<Stack, "port">, node: StackPostgresNode): number {
  try {
    const pid = Number(readFileSync(path.join(formationDir(stack), `node${node.n}`, "postmaster.pid"), "utf8").split("\n")[0]);
    if (pid > 0) return pid;
  } catch {
    // not running, or not readable by this user: the pid the stack printed
  }
  return node.pid;
}

/** SIGKILL of a node's postmaster; returns the pid killed. */
export function killPostmaster(stack: Pick<Stack, "port">, node: StackPostgresNode): number {
  const pid = postmasterPid(stack, node);
  process.kill(pid, "SIGKILL");
  return pid;
}

/** Where the stack keeps the formation. */
export function formationDir(stack: Pick<Stack, "port">): string {
  return path.join(process.cwd(), ".data", "stack", "pg", String(stack.port));
}

/**
 * Processes whose command line names the formation's directory (`pg_autoctl run
 * --pgdata …`, the postmasters), with all their descendants (pg_autoctl's services
 * rename themselves, backends too). The stack stops them itself; this is for the case
 * where it was killed before it could.
 */
export function formationProcesses(stack: Pick<Stack, "port">): number[] {
  const dirs = [formationDir(stack)];
  try {
    dirs.push(realpathSync(dirs[0]!));
  } catch {
    // already removed
  }
  const parents = new Map<number, number>();
  const roots: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
      // The command name may hold spaces and parentheses: the fields after its closing one.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
      if (dirs.some((dir) => cmdline.includes(`${dir}/`))) roots.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  const found = new Set(roots);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (!found.has(pid) && found.has(parent)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  return [...found];
}

/** Ends (SIGKILL, by pid) whatever the formation left running; returns how many there were. */
export function killFormationLeftovers(stack: Pick<Stack, "port">): number {
  const pids = formationProcesses(stack);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
  return pids.length;
}
