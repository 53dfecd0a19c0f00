// What the bench reads beside the load generator's answers: CPU time of the stack's processes
// (/proc), Redis memory of this run's keys, Postgres sizes and counters of this run's database,
// and the instances' own metrics.
import { readFile, readdir } from "node:fs/promises";
import postgres from "postgres";
import { createClient } from "redis";

const TICKS_PER_SECOND = 100;

// User + system CPU seconds a process has used so far (0 once it is gone).
export async function cpuSeconds(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

// The nginx master `npm run stack` started for this gateway port (its -p is .data/stack/run-<port>), and its workers.
export async function nginxPids(gatewayPort: number): Promise<number[]> {
  const found: number[] = [];
  const stats = new Map<number, string>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    if (stat.includes("(nginx)")) stats.set(Number(entry), stat);
  }
  for (const [pid] of stats) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(`run-${gatewayPort}`)) found.push(pid);
  }
  for (const [pid, stat] of stats) {
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (found.includes(ppid) && !found.includes(pid)) found.push(pid);
  }
  return found;
}

export interface RedisMemory {
  keys: number;
  bytes: number;
  byKind: Record<string, { keys: number; bytesPerKey: number }>;
}

// MEMORY USAGE of a sample of this run's keys, scaled to all of them: the shared Redis holds
// other runs' keys too, so INFO's used_memory would count theirs.
export async function redisMemory(url: string, prefix: string, sample = 2000): Promise<RedisMemory> {
  const redis = createClient({ url });
  await redis.connect();
  try {
    const kinds = new Map<string, { keys: number; sampled: number; bytes: number }>();
    for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
      for (const key of keys) {
        const kind = key.slice(prefix.length).split(":")[0] ?? "?";
        const entry = kinds.get(kind) ?? { keys: 0, sampled: 0, bytes: 0 };
        entry.keys += 1;
        if (entry.sampled < sample) {
          entry.sampled += 1;
          entry.bytes += Number(await redis.memoryUsage(key, { SAMPLES: 0 })) || 0;
        }
        kinds.set(kind, entry);
      }
    }
    const byKind: RedisMemory["byKind"] = {};
    let keys = 0;
    let bytes = 0;
    for (const [kind, e] of kinds) {
      const perKey = e.sampled ? e.bytes / e.sampled : 0;
      byKind[kind] = { keys: e.keys, bytesPerKey: Math.round(perKey) };
      keys += e.keys;
      bytes += perKey * e.keys;
    }
    return { keys, bytes: Math.round(bytes), byKind };
  } finally {
    await redis.close();
  }
}

export interface PostgresFigures {
  tables: { name: string; rows: number; tableBytes: number; indexBytes: number }[];
  cacheHitRatio: number;
  transactions: number;
  statementsApprox: number;
}

// Sizes and counters of this run's own database (the statistics are per database, so other runs do not count).
export async function postgresFigures(url: string): Promise<PostgresFigures> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const tables = await sql<{ name: string; rows: string; table_bytes: string; index_bytes: string }[]>`
      select relname as name, n_live_tup as rows, pg_table_size(relid) as table_bytes, pg_indexes_size(relid) as index_bytes
      from pg_stat_user_tables order by pg_total_relation_size(relid) desc`;
    const [io] = await sql<{ hit: string | null; read: string | null }[]>`
      select sum(heap_blks_hit + coalesce(idx_blks_hit, 0)) as hit, sum(heap_blks_read + coalesce(idx_blks_read, 0)) as read from pg_statio_user_tables`;
    const [db] = await sql<{ xact: string; fetched: string; returned: string; inserted: string; updated: string; deleted: string }[]>`
      select xact_commit + xact_rollback as xact, tup_fetched as fetched, tup_returned as returned, tup_inserted as inserted, tup_updated as updated, tup_deleted as deleted
      from pg_stat_database where datname = current_database()`;
    const hit = Number(io?.hit ?? 0);
    const read = Number(io?.read ?? 0);
    return {
      tables: tables.map((t) => ({ name: t.name, rows: Number(t.rows), tableBytes: Number(t.table_bytes), indexBytes: Number(t.index_bytes) })),
      cacheHitRatio: hit + read > 0 ? hit / (hit + read) : 1,
      // Outside a transaction every statement is its own: this counts statements sent alone plus transactions.
      transactions: Number(db?.xact ?? 0),
      statementsApprox: Number(db?.inserted ?? 0) + Number(db?.updated ?? 0) + Number(db?.deleted ?? 0),
    };
  } finally {
    await sql.end();
  }
}

// Sum of one counter's series across the instances' /api/metrics, by one label.
export async function metricByLabel(instanceUrls: string[], name: string, label: string): Promise<Record<string, number>> {
  const totals: Record<string, number> = {};
  for (const url of instanceUrls) {
    const text = await fetch(`${url}/api/metrics`)
      .then((r) => r.text())
      .catch(() => "");
    for (const line of text.split("\n")) {
      if (!line.startsWith(`${name}{`)) continue;
      const value = Number(line.slice(line.lastIndexOf(" ") + 1));
      const labelValue = new RegExp(`${label}="([^"]*)"`).exec(line)?.[1] ?? "";
      totals[labelValue] = (totals[labelValue] ?? 0) + value;
    }
  }
  return totals;
}

// Redis commands that name this run's keys while `work` runs (MONITOR: only for a short, quiet count).
export async function redisCommandsDuring(url: string, prefix: string, work: () => Promise<void>): Promise<number> {
  const redis = createClient({ url });
  await redis.connect();
  let count = 0;
  await redis.monitor((line: string) => {
    if (line.includes(prefix)) count += 1;
  });
  try {
    await work();
    // MONITOR's lines may trail the answers a little.
    await new Promise((r) => setTimeout(r, 300));
    return count;
  } finally {
    redis.destroy();
  }
}
