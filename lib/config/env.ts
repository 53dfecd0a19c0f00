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
    // Live carts (GET /api/cart/live, lib/events/live.ts): open streams per instance; past it 503 OVERLOADED. 0 switches live carts off (501 LIVE_UNAVAILABLE).
    LIVE_MAX_STREAMS: intFromEnv(2000, 0, 1_000_000),
    // A comment line on every open live stream this often, so proxies and browsers keep it open.
    LIVE_KEEPALIVE_SECONDS: intFromEnv(15, 1, 20),
    ALLOWED_ORIGINS: list,
    // The storefront's origin as shoppers reach it (https://shop.example): links, redirects and the
    // origin check use it instead of any request header. Unset, the Host (or a trusted proxy's forwarded host).
    PUBLIC_ORIGIN: z
      .url({ protocol: /^https?$/ })
      .refine((v) => new URL(v).origin === v.replace(/\/$/, ""), "must be an origin only (scheme://host[:port], no path)")
      .transform((v) => new URL(v).origin)
      .optional(),
    RATE_LIMIT_DISABLED: flag,
    // Rate limits (lib/http/rate-limit.ts): per one-minute window.
    RATE_LIMIT_WRITES_PER_MINUTE: intFromEnv(120, 1, 1_000_000),
    RATE_LIMIT_READS_PER_MINUTE: intFromEnv(600, 1, 1_000_000),
    RATE_LIMIT_IP_PER_MINUTE: intFromEnv(1200, 1, 1_000_000),
    // Anonymous work (lib/http/creation-budget.ts): new guest carts and new recovery links per minute,
    // per client address (with TRUST_PROXY) and in all on this instance.
    CREATE_LIMIT_PER_ADDRESS_PER_MINUTE: intFromEnv(20, 1, 1_000_000),
    CREATE_LIMIT_PER_INSTANCE_PER_MINUTE: intFromEnv(600, 1, 10_000_000),
    // Live recovery links per cart: a new one past it ends the oldest (the same lines reuse the newest).
    RECOVERY_LINKS_PER_CART: intFromEnv(3, 1, 100),
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
    // Failed sign-ins per minute from everyone (lib/identity/guess-limit.ts); past half of it, sign-ins
    // for accounts that do not exist are refused without a hash, and past it every sign-in waits.
    SIGNIN_FAILURES_GLOBAL_PER_MINUTE: intFromEnv(300, 2, 1_000_000),
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
    // Who may see /admin: these user ids, and these emails when the provider verified them (a
    // GitHub primary email; never a sign-up's, which nobody verified). See adminEmails() for the default.
    ADMIN_USER_IDS: list,
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
    // Cart events (lib/events, docs/events.md): where webhooks go (comma-separated http(s) URLs) and
    // the Standard Webhooks secret they are signed with (whsec_ + base64).
    WEBHOOK_URLS: list.pipe(z.array(z.url({ protocol: /^https?$/ }))),
    WEBHOOK_SECRET: z.string().regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, "must be whsec_ followed by base64 (at least 24 bytes)").min(38, "must be whsec_ followed by base64 (at least 24 bytes)").optional(),
    // Tuning of the events: a signed-in cart with lines idle this long is `cart.abandoned`;
    // webhook timeout; delays before each retry (the last repeats) and for how long to retry;
    // how often the worker looks for events, how many it takes at once, how long delivered
    // events are kept.
    CART_ABANDONED_AFTER_SECONDS: intFromEnv(3600, 1, 90 * 86_400),
    WEBHOOK_TIMEOUT_MS: intFromEnv(5000, 100, 60_000),
    WEBHOOK_RETRY_SECONDS: z
      .string()
      .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, "must be whole seconds separated by commas, such as 5,30,300,3600")
      .optional()
      .transform((v) => (v ?? "5,30,300,1800,3600").split(",").map((s) => Number(s.trim())))
      .pipe(z.array(z.number().int().min(0).max(86_400)).min(1)),
    WEBHOOK_RETRY_HOURS: intFromEnv(24, 1, 30 * 24),
    EVENTS_POLL_MS: intFromEnv(1000, 10, 600_000),
    EVENTS_BATCH_SIZE: intFromEnv(50, 1, 1000),
    EVENTS_KEEP_DAYS: intFromEnv(7, 1, 365),
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
    if (env.WEBHOOK_URLS.length > 0 && !env.WEBHOOK_SECRET) {
      ctx.addIssue({ code: "custom", path: ["WEBHOOK_SECRET"], message: "is required with WEBHOOK_URLS (whsec_ + base64; see docs/events.md)" });
    }
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
  // A session cookie sent over plain HTTP is a session anyone on the path can take. Behind a TLS
  // proxy the cookie is still Secure (the browser speaks HTTPS), so there is no reason for this.
  if (env.SESSION_COOKIE_SECURE === "false") problems.push("SESSION_COOKIE_SECURE: must not be false in production (session cookies would travel over plain HTTP)");
  return problems;
}

// Hosts that never leave the machine: plaintext to them crosses no network.
function isLocalHost(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, "").toLowerCase();
  return name === "localhost" || name === "::1" || /^127\./.test(name) || name.startsWith("/") || name === "";
}

// The hosts of a postgres:// URL (one, or several separated by commas) and whether it asks for TLS.
function postgresTarget(url: string): { hosts: string[]; tls: boolean } {
  const match = /^postgres(?:ql)?:\/\/(?:[^@/]*@)?([^/?]*)(?:[^?]*)(?:\?(.*))?$/.exec(url);
  const hosts = (match?.[1] ?? "").split(",").map((h) => h.replace(/:\d+$/, ""));
  const query = new URLSearchParams(match?.[2] ?? "");
  const hostParam = query.get("host");
  if (hostParam) hosts.push(...hostParam.split(","));
  const sslmode = query.get("sslmode") ?? query.get("ssl") ?? "";
  return { hosts, tls: ["require", "verify-ca", "verify-full", "true", "1"].includes(sslmode) };
}

// The Redis this instance reaches without TLS, if any: a redis:// URL, or a cluster (node-redis
// is given REDIS_CLUSTER_NODES as bare host:port, so every node is spoken to in plaintext).
function plaintextRedis(env: Env): { setting: string; hosts: string[]; fix: string } | null {
  if (env.REDIS_URL?.startsWith("redis://")) return { setting: "REDIS_URL is plaintext redis://", hosts: [new URL(env.REDIS_URL).hostname], fix: "use rediss://" };
  if (env.REDIS_CLUSTER_NODES.length > 0) {
    return {
      setting: "REDIS_CLUSTER_NODES is always plaintext",
      hosts: env.REDIS_CLUSTER_NODES.map((node) => node.replace(/:\d+$/, "")),
      fix: "keep its nodes on a private network you trust",
    };
  }
  return null;
}

// What production allows but an operator should hear about at every start (logged as warnings
// by createCart's start(); docs/security.md says why these warn rather than refuse).
export function productionWarnings(env: Env): string[] {
  if (env.NODE_ENV !== "production") return [];
  const warnings: string[] = [];
  if (env.TRUST_PROXY === 0) {
    warnings.push(
      "TRUST_PROXY is not set: no limit counts per client address (only per session and per instance). Behind a proxy set TRUST_PROXY to its hops; without one, set PUBLIC_ORIGIN and keep the per-instance budgets (docs/operations.md)",
    );
  }
  const redis = plaintextRedis(env);
  if (redis && redis.hosts.some((h) => !isLocalHost(h))) {
    warnings.push(`${redis.setting} to another host: sessions and carts cross the network unencrypted; ${redis.fix}`);
  }
  if (env.DATABASE_URL) {
    const target = postgresTarget(env.DATABASE_URL);
    if (!target.tls && target.hosts.some((h) => !isLocalHost(h))) {
      warnings.push("DATABASE_URL reaches another host without TLS: add ?sslmode=require (or verify-full)");
    }
  }
  return warnings;
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
  "LIVE_KEEPALIVE_SECONDS",
  "RATE_LIMIT_WRITES_PER_MINUTE",
  "RATE_LIMIT_READS_PER_MINUTE",
  "RATE_LIMIT_IP_PER_MINUTE",
  "CREATE_LIMIT_PER_ADDRESS_PER_MINUTE",
  "CREATE_LIMIT_PER_INSTANCE_PER_MINUTE",
  "RECOVERY_LINKS_PER_CART",
  "SIGNIN_LIMIT_PER_ACCOUNT",
  "SIGNIN_LIMIT_PER_ADDRESS",
  "REGISTER_LIMIT_PER_ADDRESS",
  "REGISTER_LIMIT_GLOBAL_PER_MINUTE",
  "SIGNIN_FAILURES_GLOBAL_PER_MINUTE",
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
  "CART_ABANDONED_AFTER_SECONDS",
  "WEBHOOK_TIMEOUT_MS",
  "WEBHOOK_RETRY_SECONDS",
  "WEBHOOK_RETRY_HOURS",
  "EVENTS_POLL_MS",
  "EVENTS_BATCH_SIZE",
  "EVENTS_KEEP_DAYS",
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

// The storefront's origin as shoppers reach it: PUBLIC_ORIGIN when set (then nothing else decides
// it), else what `derive` finds: a request's Host (lib/http/request.ts publicOrigin), or for a job
// without a request, the first allowed origin (lib/jobs/abandoned.ts).
export function storefrontOrigin(derive: () => string): string {
  return env().PUBLIC_ORIGIN ?? derive();
}
