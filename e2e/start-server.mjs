// Starts the built app for the Playwright run on a fresh Postgres database and
// Redis key prefix, and drops the database again when it is told to stop. With E2E_STACK=1
// it starts `npm run stack` instead (nginx over HTTPS on E2E_PORT in front of two instances,
// e2e/stack.playwright.config.ts): the same specs, through the gateway.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import postgres from "postgres";

const adminUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const port = process.env.E2E_PORT ?? "3100";
const id = `${Date.now()}_${randomBytes(4).toString("hex")}`;
const database = `cart_e2e_${id}`;
const secret = () => randomBytes(36).toString("base64url"); // 48 characters

const log = (message) => console.log(`[e2e-server] ${message}`);

function databaseUrl(name) {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin(work) {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    return await work(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Databases left by runs that were killed outright (older than six hours). */
async function dropStale(sql) {
  const rows = await sql`select datname from pg_database where datname like 'cart\\_e2e\\_%'`;
  const cutoff = Date.now() - 6 * 3600_000;
  for (const { datname } of rows) {
    const started = Number(/^cart_e2e_(\d+)_/.exec(datname)?.[1]);
    if (Number.isFinite(started) && started < cutoff) {
      await sql.unsafe(`drop database if exists "${datname}" with (force)`).catch(() => {});
    }
  }
}

let dropped = false;
async function dropDatabase() {
  if (dropped) return;
  dropped = true;
  try {
    await withAdmin((sql) => sql.unsafe(`drop database if exists "${database}" with (force)`));
    log(`dropped database ${database}`);
  } catch (err) {
    log(`could not drop database ${database}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

await withAdmin(async (sql) => {
  await dropStale(sql).catch(() => {});
  await sql.unsafe(`create database "${database}"`);
});
log(`created database ${database}`);

const throughStack = process.env.E2E_STACK === "1";
const command = throughStack
  ? ["node_modules/tsx/dist/cli.mjs", "scripts/stack.mts", "--port", port, "--instances", "2"]
  : ["node_modules/next/dist/bin/next", "start", "-p", port, "-H", "127.0.0.1"];
const child = spawn(process.execPath, command, {
  stdio: "inherit",
  env: {
    ...process.env,
    DATABASE_URL: databaseUrl(database),
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    STORE_KEY_PREFIX: `e2e:${id}:`,
    SESSION_SECRET: secret(),
    AUTH_SECRET: secret(),
    AUTH_TRUST_HOST: "true",
    RATE_LIMIT_DISABLED: "1",
    // The dashboard's admin (e2e/admin.spec.ts registers it); production seeds no admin.
    ADMIN_EMAILS: "e2e-admin@example.com",
    NODE_ENV: "production",
    // One request line per response would bury the test report; warnings and errors still show.
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  },
});

// The dashboard's admin: ADMIN_EMAILS counts only an address a provider verified, and a sign-up's
// never is. Once e2e/admin.spec.ts has registered it, mark it verified, as GitHub would.
const verifyAdmin = setInterval(async () => {
  const sql = postgres(databaseUrl(database), { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    const rows = await sql`update cart_users set email_verified = now() where email = 'e2e-admin@example.com' and email_verified is null returning id`;
    if (rows.length > 0) clearInterval(verifyAdmin);
  } catch {
    // Not migrated yet, or not registered yet: the next tick tries again.
  } finally {
    await sql.end({ timeout: 5 }).catch(() => {});
  }
}, 1000);
verifyAdmin.unref();

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}

child.on("exit", async (code, signal) => {
  await dropDatabase();
  if (!stopping && code !== 0) log(`next exited early (${signal ?? code})`);
  process.exit(code ?? (stopping ? 0 : 1));
});
