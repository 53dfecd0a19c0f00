// The Postgres formation `npm run stack -- --postgres ha` runs (scripts/stack.mts): a
// pg_auto_failover monitor and two Postgres nodes from Debian's `postgresql-15-auto-failover`,
// each on its own port on 127.0.0.1, all under one directory that is made fresh and removed
// on stop. Synchronous replication (the formation's default with two nodes: the primary's
// synchronous_standby_names is `ANY 1 (<the secondary>)`), so a commit is acknowledged only
// once the secondary has it. Health checks tuned so a dead primary is replaced in seconds,
// not the default ≈ 50 (docs/operations.md, "Postgres high availability").
//
// pg_autoctl refuses to run as root: as root, every pg_autoctl command runs through
// `runuser -u postgres`, with a clean environment whose XDG directories point into the
// formation's directory (so nothing lands in the postgres user's home).
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync, rmSync } from "node:fs";
import { appendFile, chown, mkdir, mkdtemp, readFile, readlink, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";

/** The monitor's settings (postgresql.conf of the monitor). Defaults in brackets. */
export const MONITOR_SETTINGS: Record<string, string> = {
  // A health check every second [5 s], each connection given 1 s [5 s], one retry [2] 0.5 s
  // later [2 s]: a dead node fails its check within about 2.5 s.
  "pgautofailover.health_check_period": "1000",
  "pgautofailover.health_check_timeout": "1000",
  "pgautofailover.health_check_max_retries": "1",
  "pgautofailover.health_check_retry_delay": "500",
  // Unhealthy once the check failed and its keeper has not reported for 3 s [20 s].
  "pgautofailover.node_considered_unhealthy_timeout": "3000",
  // How long the secondary waits for a primary that stopped answering to confirm it has
  // stopped taking writes before it is promoted anyway [30 s]. Must stay above the keepers'
  // network_partition_timeout (below), after which a primary cut off from both the monitor
  // and its standby demotes itself: otherwise two primaries could take writes at once.
  "pgautofailover.primary_demote_timeout": "5000",
};

/** Each keeper's [timeout] settings (pg_autoctl config set). Defaults in brackets. */
export const KEEPER_SETTINGS: Record<string, string> = {
  // A primary that reaches neither the monitor nor its standby for 4 s demotes itself [20 s].
  "timeout.network_partition_timeout": "4",
  // How long a secondary being promoted waits for its WAL receiver to stop [5 s] and to
  // catch up [30 s]. With synchronous replication it has every acknowledged commit already.
  "timeout.prepare_promotion_walreceiver": "1",
  "timeout.prepare_promotion_catchup": "5",
};

// pg_autoctl sizes shared_buffers to a quarter of the machine (6 GB here); three servers on a
// shared test machine need far less.
const POSTGRES_SETTINGS: Record<string, string> = { shared_buffers: "'128MB'" };

const PG_BIN = "/usr/lib/postgresql/15/bin";
const MARKER = "# next-cart stack (deploy/postgres/formation.ts)";

export interface FormationNode {
  n: number;
  name: string;
  port: number;
  pgdata: string;
  /** The postmaster's pid (postmaster.pid), as the node is when the formation is ready. */
  pid: number;
  role: "primary" | "secondary";
}

interface NodeState {
  nodeid: number;
  nodename: string;
  nodeport: number;
  reportedstate: string;
  goalstate: string;
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

export class Formation {
  readonly nodes: FormationNode[] = [];
  /** The multi-host URL for the app (pg_autoctl show uri, with the user added). */
  url = "";
  private readonly runs: { name: string; child: ChildProcess }[] = [];
  private readonly asRoot = process.getuid?.() === 0;
  private workDir = "";
  private stopped = false;
  private finished = false;

  constructor(
    /** Made fresh, removed by stop(): `.data/stack/pg/<stack port>`. */
    readonly dir: string,
    readonly ports: { monitor: number; nodes: [number, number] },
    /** The database the URL names, created on the primary (and so on the secondary). */
    readonly database: string,
    private readonly log: (line: string) => void,
  ) {}

  get monitorUrl(): string {
    return `postgres://autoctl_node@127.0.0.1:${this.ports.monitor}/pg_auto_failover`;
  }

  private path(name: string) {
    return path.join(this.workDir, name);
  }

  /** Command and arguments that run `pg_autoctl args` as the postgres user with our environment. */
  private command(args: string[]): [string, string[]] {
    const env = [
      `PATH=${PG_BIN}:/usr/local/bin:/usr/bin:/bin`,
      `HOME=${this.workDir}`,
      `XDG_CONFIG_HOME=${this.path("config")}`,
      `XDG_DATA_HOME=${this.path("share")}`,
      `XDG_RUNTIME_DIR=${this.path("run")}`,
      "LANG=C.UTF-8",
    ];
    const inner = ["env", "-i", ...env, "pg_autoctl", ...args];
    return this.asRoot ? ["runuser", ["-u", "postgres", "--", ...inner]] : [inner[0]!, inner.slice(1)];
  }

  private autoctl(args: string[], timeoutMs = 60_000): Promise<string> {
    const [cmd, argv] = this.command(args);
    return new Promise((resolve, reject) => {
      execFile(cmd, argv, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`pg_autoctl ${args.slice(0, 2).join(" ")} failed: ${error.message}\n${stderr.split("\n").slice(-20).join("\n")}`));
        else resolve(stdout);
      });
    });
  }

  /** `pg_autoctl run` for one server, in its own process group, its log in <dir>/<name>.log. */
  private run(name: string) {
    if (this.stopped) throw new Error("stopped");
    const [cmd, argv] = this.command(["run", "--pgdata", this.path(name)]);
    const logFile = this.path(`${name}.log`);
    const fd = openSync(logFile, "a");
    const child = spawn(cmd, argv, { detached: true, stdio: ["ignore", fd, fd] });
    closeSync(fd);
    this.runs.push({ name, child });
    child.once("exit", (code, signal) => {
      if (!this.stopped) this.log(`pg_autoctl ${name} exited (${signal ?? code}); its log: ${logFile}`);
    });
  }

  private async appendSettings(name: string, settings: Record<string, string>) {
    const file = this.path(`${name}/postgresql.conf`);
    const text = await readFile(file, "utf8");
    if (text.includes(MARKER)) return;
    await appendFile(file, `\n${MARKER}\n${Object.entries(settings).map(([k, v]) => `${k} = ${v}`).join("\n")}\n`);
  }

  private async waitUntil<T>(what: string, check: () => Promise<T | undefined>, ms: number): Promise<T> {
    const deadline = Date.now() + ms;
    let last: unknown;
    while (Date.now() < deadline) {
      if (this.stopped) throw new Error("stopped");
      try {
        const value = await check();
        if (value !== undefined) return value;
      } catch (error) {
        last = error;
      }
      await sleep(200);
    }
    throw new Error(`${what} within ${ms / 1000} s${last instanceof Error ? ` (${last.message})` : ""}; logs in ${this.workDir}`);
  }

  private async states(): Promise<NodeState[]> {
    const sql = postgres(`postgres://postgres@127.0.0.1:${this.ports.monitor}/pg_auto_failover`, { max: 1, onnotice: () => {}, connect_timeout: 2 });
    try {
      return await sql<NodeState[]>`select nodeid, nodename, nodeport, reportedstate::text, goalstate::text from pgautofailover.node order by nodeid`;
    } finally {
      await sql.end({ timeout: 1 });
    }
  }

  /** Which directory the servers use: the formation's own, or a temporary one it links to when the postgres user cannot reach it. */
  private async prepareDir() {
    await rm(this.dir, { recursive: true, force: true });
    await mkdir(this.dir, { recursive: true });
    this.workDir = this.dir;
    if (!this.asRoot) return;
    const { uid, gid } = postgresIds();
    await chown(this.dir, uid, gid);
    if (await reachable(this.dir)) return;
    // A checkout under a directory only root may enter (/root, a 0700 home): the data goes
    // to a temporary directory, linked from where it is looked for.
    await rm(this.dir, { recursive: true, force: true });
    this.workDir = await mkdtemp(path.join(tmpdir(), "next-cart-pg-"));
    await chown(this.workDir, uid, gid);
    await symlink(this.workDir, this.dir);
    this.log(`postgres cannot enter ${this.dir}: the formation lives in ${this.workDir}`);
  }

  async start(): Promise<void> {
    if (!existsSync(path.join(PG_BIN, "postgres")) || !commandExists("pg_autoctl")) {
      throw new Error("pg_auto_failover is not installed (Debian: apt-get install -y postgresql-15-auto-failover).");
    }
    await this.prepareDir();
    const common = ["--pgctl", path.join(PG_BIN, "pg_ctl"), "--auth", "trust", "--no-ssl", "--hostname", "127.0.0.1"];

    // The monitor: created, told to listen on loopback only and how to check health, then run.
    await this.autoctl(["create", "monitor", ...common, "--pgdata", this.path("monitor"), "--pgport", String(this.ports.monitor)]);
    await this.autoctl(["config", "set", "--pgdata", this.path("monitor"), "postgresql.listen_addresses", "127.0.0.1"]);
    await this.appendSettings("monitor", { ...POSTGRES_SETTINGS, ...MONITOR_SETTINGS });
    this.run("monitor");
    await this.waitUntil("the monitor did not answer", async () => ((await this.states()) ? true : undefined), 30_000);

    for (const [i, port] of this.ports.nodes.entries()) {
      const name = `node${i + 1}`;
      const create = this.autoctl(
        [
          "create", "postgres", ...common, "--pgdata", this.path(name), "--pgport", String(port), "--listen", "127.0.0.1",
          "--name", name, "--dbname", this.database, "--username", "postgres", "--monitor", this.monitorUrl,
        ],
        180_000,
      );
      // The secondary's pg_basebackup waits for the primary's next checkpoint (minutes on an
      // idle server): ask for one until the copy is made.
      await (i === 0 ? create : hurry(create, this.ports.nodes[0]));
      for (const [key, value] of Object.entries(KEEPER_SETTINGS)) await this.autoctl(["config", "set", "--pgdata", this.path(name), key, value]);
      await this.appendSettings(name, POSTGRES_SETTINGS);
      this.run(name);
      const want = i === 0 ? ["single"] : ["primary", "secondary"];
      await this.waitUntil(
        `${name} did not reach ${want.join(" + ")}`,
        async () => {
          const states = await this.states();
          const reached = want.every((state, k) => states[k]?.reportedstate === state && states[k]?.goalstate === state);
          return reached ? true : undefined;
        },
        120_000,
      );
    }

    // Synchronous replication in force: the primary waits for the secondary on every commit.
    const primary = postgres(`postgres://postgres@127.0.0.1:${this.ports.nodes[0]}/${this.database}`, { max: 1, onnotice: () => {} });
    try {
      const standbys = await this.waitUntil(
        "the primary did not replicate synchronously",
        async () => {
          const [row] = await primary<{ s: string }[]>`select current_setting('synchronous_standby_names') as s`;
          const [rep] = await primary<{ sync_state: string }[]>`select sync_state from pg_stat_replication`;
          return row?.s && rep && ["sync", "quorum"].includes(rep.sync_state) ? row.s : undefined;
        },
        30_000,
      );
      this.log(`postgres formation: synchronous_standby_names = ${standbys}`);
    } finally {
      await primary.end({ timeout: 1 });
    }

    // The formation's own connection string; it names no user, and the app's would be root.
    const uri = (await this.autoctl(["show", "uri", "--formation", "default", "--pgdata", this.path("monitor")])).trim();
    if (!/^postgres(ql)?:\/\/[^/]*,[^/]*\/.*target_session_attrs=read-write/.test(uri)) throw new Error(`unexpected formation URI: ${uri}`);
    this.url = uri.replace(/^(postgres(?:ql)?:\/\/)(?![^/]*@)/, "$1postgres@");

    const states = await this.states();
    for (const [i, port] of this.ports.nodes.entries()) {
      const name = `node${i + 1}`;
      const pgdata = this.path(name);
      const pid = Number((await readFile(path.join(pgdata, "postmaster.pid"), "utf8")).split("\n")[0]);
      const state = states.find((s) => s.nodeport === port)?.reportedstate ?? "";
      this.nodes.push({ n: i + 1, name, port, pgdata, pid, role: ["primary", "wait_primary", "single"].includes(state) ? "primary" : "secondary" });
    }
  }

  /** Stops every server (keepers first, the monitor last) and removes the data. */
  async stop(): Promise<void> {
    this.stopped = true;
    const order = [...this.runs].sort((a, b) => Number(a.name === "monitor") - Number(b.name === "monitor"));
    for (const { name, child } of order) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          killGroup(child, "SIGKILL");
          resolve();
        }, 10_000);
        child.once("exit", () => {
          clearTimeout(timer);
          // runuser may leave before the servers it started: end what is left of its group.
          killGroup(child, "SIGKILL");
          resolve();
        });
        // Fast shutdown: open connections (the app's pool) are closed, not waited for.
        this.autoctl(["stop", "--fast", "--pgdata", this.path(name)], 5_000).catch(() => killGroup(child, "SIGTERM"));
      });
    }
    await this.removeData();
    this.finished = true;
  }

  /** When this process is exiting with no time left: nothing may outlive it. */
  killNow() {
    if (this.finished) return;
    this.stopped = true;
    for (const { child } of this.runs) killGroup(child, "SIGKILL");
    rmSync(this.dir, { recursive: true, force: true });
    if (this.workDir && this.workDir !== this.dir) rmSync(this.workDir, { recursive: true, force: true });
  }

  private async removeData() {
    const target = await readlink(this.dir).catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
    if (target) await rm(target, { recursive: true, force: true });
  }
}

/** Asks the primary for a checkpoint every half second until `until` settles. */
async function hurry<T>(until: Promise<T>, primaryPort: number): Promise<T> {
  let done = false;
  const settled = until.finally(() => {
    done = true;
  });
  const sql = postgres(`postgres://postgres@127.0.0.1:${primaryPort}/postgres`, { max: 1, onnotice: () => {}, connect_timeout: 2 });
  try {
    while (!done) {
      await sql`checkpoint`.catch(() => {});
      await Promise.race([settled.catch(() => {}), sleep(500)]);
    }
    return await settled;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function postgresIds(): { uid: number; gid: number } {
  const line = requireSync("getent", ["passwd", "postgres"]).trim();
  const [, , uid, gid] = line.split(":");
  if (!uid || !gid) throw new Error("no postgres user (it comes with Debian's postgresql packages)");
  return { uid: Number(uid), gid: Number(gid) };
}

async function reachable(dir: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile("runuser", ["-u", "postgres", "--", "test", "-w", dir, "-a", "-x", dir], (error) => resolve(!error));
  });
}

function commandExists(name: string): boolean {
  try {
    requireSync("sh", ["-c", `command -v ${name}`]);
    return true;
  } catch {
    return false;
  }
}

function requireSync(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
}
