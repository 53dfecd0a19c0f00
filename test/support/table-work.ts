import postgres from "postgres";
import { sql } from "drizzle-orm";
import { openDatabase } from "@/lib/storage/database";
import type { InProcessApp } from "./in-process-app";

/**
 * The Postgres work an in-process app has done so far: every scan and row change of its tables,
 * summed from Postgres's own counters (pg_stat_user_tables; autovacuum moves none of them). Two
 * reads that agree mean the app sent no statement that touched a table in between: the proof that
 * something (visitors without a cookie, an idle live stream) costs no Postgres query.
 */
export interface TableWork {
  read(): Promise<number>;
  close(): Promise<void>;
}

const SUM = "coalesce(sum(seq_scan + coalesce(idx_scan, 0) + n_tup_ins + n_tup_upd + n_tup_del), 0)::text";

export async function watchTableWork(app: InProcessApp): Promise<TableWork> {
  const url = app.cart.settings.DATABASE_URL;
  if (!url) {
    // PGlite: one backend in this process, the app's own (opened by its settings), whose pending
    // counts are flushed by the next statement once asked to. Reading the statistics views scans
    // no table of the app's.
    const { db } = await openDatabase(app.cart.settings);
    return {
      async read() {
        await db.execute(sql`select pg_stat_force_next_flush()`);
        const result = (await db.execute(sql.raw(`select ${SUM} as n from pg_stat_user_tables`))) as unknown as { rows: { n: string }[] };
        return Number(result.rows[0]?.n);
      },
      close: async () => {},
    };
  }
  const monitor = postgres(url, { max: 1, onnotice: () => {} });
  return {
    // A backend reports its counts when it ends (or within 10 s of going idle): the app's
    // connections are ended here (the app opens new ones when it next queries), and the counters
    // read once they are gone.
    async read() {
      await monitor`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`;
      for (let i = 0; ; i += 1) {
        const [left] = await monitor<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`;
        if (left!.n === 0) break;
        if (i > 100) throw new Error("the app's connections did not end");
        await new Promise((r) => setTimeout(r, 50));
      }
      // A backend leaves pg_stat_activity just before its last report: a moment for that.
      await new Promise((r) => setTimeout(r, 500));
      const [row] = await monitor.unsafe<{ n: string }[]>(`select ${SUM} as n from pg_stat_user_tables`);
      return Number(row?.n);
    },
    close: () => monitor.end(),
  };
}
