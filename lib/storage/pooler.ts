// Whether DATABASE_URL reaches Postgres through PgBouncer in transaction pooling
// mode. Asking the server is unreliable (SHOW POOLS needs PgBouncer's admin console),
// so the setting decides, and "auto" reads the URL: `?pgbouncer=true` or PgBouncer's
// usual port 6432.
export type PoolerSetting = "auto" | "none" | "pgbouncer";

export interface PostgresTarget {
  // The URL to hand postgres.js: without `pgbouncer=`, which it would send as a startup parameter.
  url: string;
  pgbouncer: boolean;
}

const PGBOUNCER_PORT = "6432";

export function postgresTarget(databaseUrl: string, setting: PoolerSetting): PostgresTarget {
  // A multi-host URL (a failover formation) is no WHATWG URL: it is passed on as it is.
  if (/^[^/]*\/\/[^/?#]*,/.test(databaseUrl)) return { url: databaseUrl, pgbouncer: setting === "pgbouncer" };
  const url = new URL(databaseUrl);
  const marker = url.searchParams.get("pgbouncer");
  url.searchParams.delete("pgbouncer");
  const detected = marker === "true" || marker === "1" || url.port === PGBOUNCER_PORT;
  const pgbouncer = setting === "pgbouncer" || (setting === "auto" && detected);
  return { url: marker === null ? databaseUrl : url.toString(), pgbouncer };
}
