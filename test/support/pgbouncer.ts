import { spawn, type ChildProcess } from "node:child_process";
import { chmod, chown, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { freePort } from "./app";
import { endWithThisProcess } from "./children";
import { adminDatabaseUrl } from "./services";

/**
 * A pgbouncer of the test's own in transaction pooling mode, on a free port, in
 * front of one database of the local Postgres. Fewer server connections than the
 * app's pool, so transactions really do move between server connections.
 */
export interface Pgbouncer {
  port: number;
  /** DATABASE_URL for the app: through PgBouncer (port not 6432, so the pooler is named explicitly). */
  url: string;
  stop(): Promise<void>;
}

export interface PgbouncerOptions {
  database: string;
  /** Server connections per database/user pair (default 4). */
  poolSize?: number;
  /** Run on each new server connection: PgBouncer-side session settings (e.g. the app's timeouts). */
  connectQuery?: string;
}

// The app's bounded waits (lib/storage/database.ts) as PgBouncer sets them behind the pool.
export const APP_TIMEOUTS_QUERY = "set statement_timeout = 3000; set lock_timeout = 3000; set idle_in_transaction_session_timeout = 6000";

async function waitForConnection(url: string, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const sql = postgres(url, { max: 1, prepare: false, connect_timeout: 1, onnotice: () => {} });
    try {
      await sql`select 1`;
      await sql.end();
      return;
    } catch (err) {
      last = err;
      await sql.end({ timeout: 0 });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`pgbouncer did not accept connections: ${String(last)}`);
}

export async function startPgbouncer(options: PgbouncerOptions): Promise<Pgbouncer> {
  const port = await freePort();
  const upstream = new URL(adminDatabaseUrl);
  const user = decodeURIComponent(upstream.username || "postgres");
  const dir = await mkdtemp(path.join(tmpdir(), "cart-pgbouncer-"));
  const connectQuery = options.connectQuery ? ` connect_query='${options.connectQuery.replace(/'/g, "''")}'` : "";
  const ini = `[databases]
${options.database} = host=${upstream.hostname} port=${upstream.port || 5432} dbname=${options.database} user=${user}${connectQuery}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
pool_mode = transaction
auth_type = trust
auth_file = ${path.join(dir, "userlist.txt")}
max_client_conn = 200
default_pool_size = ${options.poolSize ?? 4}
max_db_connections = ${(options.poolSize ?? 4) + 2}
server_lifetime = 300
logfile = ${path.join(dir, "pgbouncer.log")}
pidfile = ${path.join(dir, "pgbouncer.pid")}
`;
  await writeFile(path.join(dir, "pgbouncer.ini"), ini);
  await writeFile(path.join(dir, "userlist.txt"), `"${user}" ""\n`);

  // pgbouncer refuses to run as root: then it runs as postgres (-u), which must
  // read the ini and write its log and pid file into the directory.
  const args = [path.join(dir, "pgbouncer.ini")];
  if (userInfo().uid === 0) {
    const { execFileSync } = await import("node:child_process");
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    await chmod(dir, 0o755);
    for (const file of ["", "pgbouncer.ini", "userlist.txt"]) await chown(path.join(dir, file), uid, gid);
    args.unshift("-u", "postgres");
  }

  let output = "";
  const child: ChildProcess = endWithThisProcess(spawn("pgbouncer", args, { stdio: ["ignore", "pipe", "pipe"] }));
  child.stdout?.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-4000)));

  const url = `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/${options.database}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        // SIGTERM: immediate shutdown in PgBouncer 1.18 (SIGINT would wait for clients).
        child.kill("SIGTERM");
      });
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForConnection(url, 10_000);
  } catch (err) {
    const logfile = await readFile(path.join(dir, "pgbouncer.log"), "utf8").catch(() => "");
    await stop();
    throw new Error(`${String(err)}\n${output}\n${logfile}`);
  }
  return { port, url, stop };
}
