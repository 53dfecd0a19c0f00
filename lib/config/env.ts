import { z } from "zod";
import { currentRuntime } from "../runtime/context";

// Configuration, validated once from process.env. Every problem is reported
// with its own line so a misconfigured deployment says exactly what to fix.
export const intFromEnv = (def: number, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional()
    .transform((v) => v ?? def);

const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );

// WHATWG URL parsing refuses a multi-host authority: check it with the first host alone.
function isPostgresUrl(value: string): boolean {
  const match = /^(postgres(?:ql)?:\/\/)([^/?#]*)(.*)$/.exec(value);
  if (!match) return false;
  const [, scheme, authority, rest] = match;
  const at = authority!.lastIndexOf("@");
  const hosts = authority!.slice(at + 1).split(",");
  return hosts.every((h) => h.length > 0) && URL.canParse(`${scheme}${authority!.slice(0, at + 1)}${hosts[0]}${rest}`);
}

const flag = z
  .enum(["0", "1", "true", "false", ""])
  .optional()
  .transform((v) => v === "1" || v === "true");

const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).optional().default("development"),
    // One host, or several (host:port,host:port: a failover formation's URL, as libpq and postgres.js read it).
    DATABASE_URL: z
      .string()
      .refine((v) => isPostgresUrl(v), "must be a postgres:// URL (one host, or several separated by commas)")
      .optional(),
    DATA_DIR: z.string().min(1).optional().default(".data"),
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
    // Redis Cluster: some of its nodes as host:port (the rest are discovered).
    REDIS_CLUSTER_NODES: list.pipe(z.array(z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, "must be host:port"))),
    UPSTASH_REDIS_REST_URL: z.url({ protocol: /^https?$/ }).optional(),
    UPSTASH_REDIS_REST_TOKEN: z.string().min(1).optional(),
    STORE_KEY_PREFIX: z.string().max(64).optional().default("cart:"),
    STORE_TIMEOUT_MS: intFromEnv(150, 10, 10_000),
    SESSION_SECRET: list,
    SESSION_COOKIE_SECURE: z.enum(["auto", "true", "false"]).optional().default("auto"),
    // The session cookie's name (with `__Host-` in front when the cookie is Secure); one per instance.
    SESSION_COOKIE_NAME: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 letters, digits, _ or -")
      .optional()
      .default("cart_session"),
    GUEST_SESSION_IDLE_SECONDS: intFromEnv(1800, 1, 30 * 86_400),
    GUEST_CART_RECOVERY_DAYS: intFromEnv(7, 1, 365),
    USER_CART_RETENTION_DAYS: intFromEnv(30, 30, 3650),
    // Never delete user carts, however old (the cleanup skips them).
    USER_CART_KEEP_FOREVER: flag,
    USER_SESSION_DAYS: intFromEnv(30, 1, 365),
    // A signed-in session ends this long after sign-in, however active (default 90 days).
    USER_SESSION_ABSOLUTE_SECONDS: intFromEnv(90 * 86_400, 1, 3650 * 86_400),
    // How long a signed-in session's store record is trusted before Postgres is asked again.
    SESSION_REVALIDATE_SECONDS: intFromEnv(5, 0, 300),
    // A request that still carries a cookie from before a sign-in or sign-out answers
    // 409 SESSION_ROTATED (no Set-Cookie) for this long; later, that cookie starts a new guest session.
    SESSION_ROTATION_GRACE_SECONDS: intFromEnv(60, 1, 3600),
    RECOVERY_LINK_HOURS: intFromEnv(72, 1, 24 * 90),
    // How long a checkout's quoted prices hold (its expiresAt); completion is never refused past it.
    CHECKOUT_TTL_MINUTES: intFromEnv(30, 1, 7 * 24 * 60),
    // Bearer token of /api/checkouts/* (the host's order system completes checkouts); unset, those routes answer 404.
    CHECKOUT_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
    // Recovery links (lib/cart/restore.ts, lib/http/recovery.ts): distinct carts one link may restore into,
    // and opens + confirmations per minute per session, per address and per link.
    RECOVERY_LINK_MAX_REDEMPTIONS: intFromEnv(5, 1, 1000),
    RECOVERY_RATE_LIMIT_PER_MINUTE: intFromEnv(30, 1, 1_000_000),
    AUTH_SECRET: list,
    AUTH_GITHUB_ID: z.string().min(1).optional(),
    AUTH_GITHUB_SECRET: z.string().min(1).optional(),
    CART_MAX_LINES: intFromEnv(100, 1, 1000),
    CART_MAX_QUANTITY: intFromEnv(99, 1, 100_000),
    // Every cart's currency (ISO 4217); products the catalog prices in another are refused.
    CART_CURRENCY: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as USD").optional().default("USD"),
    CART_CACHE_TTL_SECONDS: intFromEnv(3600, 1, 7 * 86_400),
    CATALOG_CACHE_SECONDS: intFromEnv(10, 0, 3600),
    DATABASE_POOL_SIZE: intFromEnv(10, 1, 200),
    DATABASE_TIMEOUT_MS: intFromEnv(3000, 100, 60_000),
    // PgBouncer in transaction mode in front of Postgres (lib/storage/pooler.ts): "auto" reads DATABASE_URL.
    DATABASE_POOLER: z.enum(["auto", "none", "pgbouncer"]).optional().default("auto"),
    // In-app admission control (lib/http/admission.ts): past either, 503 OVERLOADED before any work; 0 switches it off.
    ADMISSION_MAX_IN_FLIGHT: intFromEnv(64, 0, 100_000),
    ADMISSION_MAX_EVENT_LOOP_DELAY_MS: intFromEnv(500, 0, 60_000),
    ALLOWED_ORIGINS: list,
    RATE_LIMIT_DISABLED: flag,
    // Rate limits (lib/http/rate-limit.ts): per one-minute window.
    RATE_LIMIT_WRITES_PER_MINUTE: intFromEnv(120, 1, 1_000_000),
    RATE_LIMIT_READS_PER_MINUTE: intFromEnv(600, 1, 1_000_000),
    RATE_LIMIT_IP_PER_MINUTE: intFromEnv(1200, 1, 1_000_000),
    // How many proxies in front of the app append to X-Forwarded-For (0: none, the headers are the
    // client's own words). "true"/"false" are read as 1/0, as before this was a number.
    TRUST_PROXY: z
      .string()
      .transform((v) => (v === "true" ? "1" : v === "false" ? "0" : v))
      .pipe(z.string().regex(/^\d+$/, "must be a number of trusted proxy hops (0-10)").transform(Number).pipe(z.number().int().min(0).max(10)))
      .optional()
      .transform((v) => v ?? 0),
    // Guessing limits on sign-in and register (lib/identity/guess-limit.ts): attempts per window, then a lock that doubles.
    SIGNIN_LIMIT_PER_ACCOUNT: intFromEnv(5, 1, 10_000),
    SIGNIN_LIMIT_PER_ADDRESS: intFromEnv(20, 1, 100_000),
    REGISTER_LIMIT_PER_ADDRESS: intFromEnv(5, 1, 100_000),
    REGISTER_LIMIT_GLOBAL_PER_MINUTE: intFromEnv(60, 1, 1_000_000),
    AUTH_LIMIT_WINDOW_SECONDS: intFromEnv(900, 1, 86_400),
    AUTH_LOCK_SECONDS: intFromEnv(60, 1, 86_400),
    AUTH_LOCK_MAX_SECONDS: intFromEnv(900, 1, 7 * 86_400),
    // At most this many argon2 hashes at once per process; a few more wait briefly, the rest are refused.
    PASSWORD_HASH_CONCURRENCY: intFromEnv(2, 1, 64),
    PASSWORD_HASH_QUEUE: intFromEnv(8, 0, 1000),
    PASSWORD_HASH_WAIT_MS: intFromEnv(1000, 1, 60_000),
    // Seed and show the published demo accounts (embedded default only); refused in production.
    DEMO_ACCOUNTS: z.enum(["0", "1", "true", "false"]).optional(),
    // GET /api/metrics needs `Authorization: Bearer <METRICS_TOKEN>` when set; unset, it is open outside production and not there (404) in production.
    METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
    // Who may see /admin (signed-in emails, case-insensitive); see adminEmails() for the default.
    ADMIN_EMAILS: list.transform((emails) => emails.map((e) => e.toLowerCase())),
    // Cleanup (lib/jobs/cleanup.ts): rows per batch, pause between batches, time budget per run,
    // and how long a merged guest cart is kept after its merge.
    CLEANUP_BATCH_SIZE: intFromEnv(500, 1, 10_000),
    CLEANUP_PAUSE_MS: intFromEnv(100, 0, 60_000),
    CLEANUP_BUDGET_MS: intFromEnv(50_000, 100, 24 * 3_600_000),
    CLEANUP_MERGED_GRACE_DAYS: intFromEnv(7, 0, 365),
    // The in-process schedule: "auto" runs it on the embedded default only (no DATABASE_URL).
    CLEANUP_SCHEDULE: z
      .enum(["auto", "0", "1", "true", "false"])
      .optional()
      .default("auto")
      .transform((v) => (v === "auto" ? "auto" : v === "1" || v === "true")),
    CLEANUP_INTERVAL_SECONDS: intFromEnv(600, 1, 86_400),
    // Bearer token of /api/cron/cleanup (Vercel Cron sends it); unset, the route answers 404.
    CRON_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).optional().default("info"),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === "production" && (env.DEMO_ACCOUNTS === "1" || env.DEMO_ACCOUNTS === "true")) {
      ctx.addIssue({ code: "custom", path: ["DEMO_ACCOUNTS"], message: "must not be set in production (the demo passwords are published)" });
    }
    if (env.AUTH_LOCK_MAX_SECONDS < env.AUTH_LOCK_SECONDS) {
      ctx.addIssue({ code: "custom", path: ["AUTH_LOCK_MAX_SECONDS"], message: "must be at least AUTH_LOCK_SECONDS" });
    }
    if (Boolean(env.UPSTASH_REDIS_REST_URL) !== Boolean(env.UPSTASH_REDIS_REST_TOKEN)) {
      ctx.addIssue({
        code: "custom",
        path: ["UPSTASH_REDIS_REST_TOKEN"],
        message: "UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN must be set together",
      });
    }
    if ([env.REDIS_URL, env.UPSTASH_REDIS_REST_URL, env.REDIS_CLUSTER_NODES.length > 0].filter(Boolean).length > 1) {
      ctx.addIssue({ code: "custom", path: ["REDIS_URL"], message: "set one of REDIS_URL, REDIS_CLUSTER_NODES and UPSTASH_REDIS_REST_URL" });
    }
    env.SESSION_SECRET.forEach((secret, i) => {
      if (secret.length < 32) {
        ctx.addIssue({ code: "custom", path: ["SESSION_SECRET", i], message: "each secret must be at least 32 characters" });
      }
    });
    env.AUTH_SECRET.forEach((secret, i) => {
      if (secret.length < 32) ctx.addIssue({ code: "custom", path: ["AUTH_SECRET", i], message: "each secret must be at least 32 characters" });
    });
    if (Boolean(env.AUTH_GITHUB_ID) !== Boolean(env.AUTH_GITHUB_SECRET)) {
      ctx.addIssue({ code: "custom", path: ["AUTH_GITHUB_SECRET"], message: "AUTH_GITHUB_ID and AUTH_GITHUB_SECRET must be set together" });
    }
  });

export type Env = z.infer<typeof envSchema>;

// While `next build` collects pages (NEXT_PHASE=phase-production-build): it serves nobody and
// need not hold secrets.
export function buildingPages(source: Record<string, string | undefined> = process.env): boolean {
  return source.NEXT_PHASE === "phase-production-build";
}

// What production must have before it serves anything (the Auth.js integration adds AUTH_SECRET).
function productionProblems(env: Env, source: Record<string, string | undefined>): string[] {
  if (env.NODE_ENV !== "production" || buildingPages(source)) return [];
  const problems: string[] = [];
  if (env.SESSION_SECRET.length === 0) problems.push("SESSION_SECRET: is required in production (generate one with: openssl rand -base64 32)");
  return problems;
}

// The published demo accounts: never in production; elsewhere as DEMO_ACCOUNTS says, and by
// default only on the embedded database (a real DATABASE_URL holds real users).
export function demoAccountsEnabled(config: Env): boolean {
  if (config.NODE_ENV === "production") return false;
  if (config.DEMO_ACCOUNTS !== undefined) return config.DEMO_ACCOUNTS === "1" || config.DEMO_ACCOUNTS === "true";
  return !config.DATABASE_URL;
}

// The demo's admin (seeded with the demo accounts, lib/storage/database.ts).
export const DEMO_ADMIN_EMAIL = "admin@example.com";

// Who may see /admin: ADMIN_EMAILS; unset, the demo's admin wherever the demo
// accounts are seeded (so never in production), else nobody.
export function adminEmails(config: Env): string[] {
  if (config.ADMIN_EMAILS.length > 0) return config.ADMIN_EMAILS;
  return demoAccountsEnabled(config) ? [DEMO_ADMIN_EMAIL] : [];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

// Empty strings count as unset, as most deployment tools write them.
export function withoutEmpty(source: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(source).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""));
}

// Tuning: limits and timings with defaults that fit, which a host changes in code
// (createCart's `tuning`), not through the environment. The settings read from the
// environment are the rest: what a host sets per deployment (README, "Settings").
export const TUNING_NAMES = [
  "SESSION_REVALIDATE_SECONDS",
  "SESSION_ROTATION_GRACE_SECONDS",
  "USER_SESSION_ABSOLUTE_SECONDS",
  "USER_CART_KEEP_FOREVER",
  "RECOVERY_LINK_MAX_REDEMPTIONS",
  "CHECKOUT_TTL_MINUTES",
  "RECOVERY_RATE_LIMIT_PER_MINUTE",
  "CART_CACHE_TTL_SECONDS",
  "CATALOG_CACHE_SECONDS",
  "STORE_TIMEOUT_MS",
  "DATABASE_TIMEOUT_MS",
  "ADMISSION_MAX_EVENT_LOOP_DELAY_MS",
  "RATE_LIMIT_WRITES_PER_MINUTE",
  "RATE_LIMIT_READS_PER_MINUTE",
  "RATE_LIMIT_IP_PER_MINUTE",
  "SIGNIN_LIMIT_PER_ACCOUNT",
  "SIGNIN_LIMIT_PER_ADDRESS",
  "REGISTER_LIMIT_PER_ADDRESS",
  "REGISTER_LIMIT_GLOBAL_PER_MINUTE",
  "AUTH_LIMIT_WINDOW_SECONDS",
  "AUTH_LOCK_SECONDS",
  "AUTH_LOCK_MAX_SECONDS",
  "PASSWORD_HASH_CONCURRENCY",
  "PASSWORD_HASH_QUEUE",
  "PASSWORD_HASH_WAIT_MS",
  "DEMO_ACCOUNTS",
  "CLEANUP_BATCH_SIZE",
  "CLEANUP_PAUSE_MS",
  "CLEANUP_BUDGET_MS",
  "CLEANUP_MERGED_GRACE_DAYS",
  "CLEANUP_INTERVAL_SECONDS",
] as const satisfies readonly (keyof Env)[];

export type TuningName = (typeof TUNING_NAMES)[number];
export type Tuning = Partial<Record<TuningName, string | number | boolean>>;

const tuningNames: ReadonlySet<string> = new Set(TUNING_NAMES);

// The names read from the environment (each also with a CART_ prefix, which wins).
export const SETTING_NAMES = Object.keys(envSchema.shape).filter((name) => !tuningNames.has(name));

// Every setting may also be given with a CART_ prefix (CART_SESSION_SECRET, CART_DATA_DIR...),
// which wins over the plain name: a host's own variables never collide with ours.
function withCartPrefix(source: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of SETTING_NAMES) {
    const value = key.startsWith("CART_") ? source[key] : (source[`CART_${key}`] ?? source[key]);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

// Tuning given in code, checked by the same rules as everything else (unknown names refused).
function tuningEntries(tuning: Tuning): { entries: Record<string, string>; problems: string[] } {
  const entries: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(tuning)) {
    if (!tuningNames.has(name)) problems.push(`tuning.${name}: is not a tuning option (${TUNING_NAMES.join(", ")})`);
    else if (value !== undefined && value !== "") entries[name] = typeof value === "boolean" ? (value ? "1" : "0") : String(value);
  }
  return { entries, problems };
}

// The tuning options named in an environment-like source: for a host (the demo storefront, the
// cleanup CLI) that chooses to take them from variables of the same names.
export function tuningFromEnv(source: Record<string, string | undefined>): Tuning {
  return Object.fromEntries(TUNING_NAMES.flatMap((name) => (source[name] ? [[name, source[name]!]] : [])));
}

export function parseEnv(source: Record<string, string | undefined> = process.env, tuning: Tuning = {}): Env {
  const tuned = tuningEntries(tuning);
  if (tuned.problems.length > 0) throw new ConfigError(tuned.problems);
  const result = envSchema.safeParse({ ...withCartPrefix(withoutEmpty(source)), ...tuned.entries });
  const problems = result.success ? productionProblems(result.data, source) : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  return result.data;
}

// The settings of the instance serving the current call (lib/runtime/context.ts): read once,
// when createCart made it.
export function env(): Env {
  return currentRuntime().settings;
}
