// next-cart/server: createCart(config) is the one call a host makes; it returns everything
// the host wires up (route handlers, server actions, render reads, sign-in hooks, the
// cleanup job, migrations). Configuration problems throw ConfigError, one line per problem:
// the host decides what to do, the module never exits the process.
import { z } from "zod";
import type { NextRequest } from "next/server";
import type { CatalogAdapter } from "./cart/catalog";
import type { PostgresCatalog } from "./catalog/postgres";
import type { CartActionResult, CartLimits } from "./cart/types";
import { ConfigError, parseEnv, productionWarnings, TUNING_NAMES, type Env, type Tuning, type TuningName } from "./config/env";
import { seedDemoAccounts } from "./identity/demo-accounts";
import { CartRuntime, type CartChangedListener } from "./runtime/runtime";
import { beginUserSession, endUserSession } from "./identity/session-bridge";
import { runCleanup, type CleanupOptions, type CleanupResult } from "./jobs/cleanup";
import { startCleanupSchedule, stopCleanupSchedule } from "./jobs/schedule";
import { recordAbandoned } from "./jobs/abandoned";
import { EventWorker } from "./events/delivery";
import { eventsRecorded } from "./events/outbox";
import { eventStats, pendingEventCounts, type EventStats } from "./events/stats";
import { setEventsProbe } from "./observe/metrics";
import type { CartEventHandler } from "./events/types";
import { log } from "./log/logger";
import { publishLiveChanges } from "./events/live";
import { startHistory } from "./observe/history";
import { logEveryResponse } from "./observe/http-log";
import { asCartActionResult } from "./http/pipeline";
import { isAdmin } from "./http/admin";
import { runCleanupAsAdmin } from "./http/admin-actions";
import { renderReads } from "./http/read";
import { confirmRecoveryLink, openRecoveryLink, recoveryFailedPath } from "./http/recovery";
import { routeHandlers, sessionActions, type SessionActions } from "./http/routes";
import { readNodeRequests } from "./http/node-requests";
import { withRenderContext, withRequestLog } from "./http/request-context";
import { sessionCookieName } from "./session/cookie";
import { completeCheckout, readCheckout, type CheckoutView } from "./checkout/checkouts";
import { completeCheckoutSchema } from "./cart/schemas";

export interface CartConfig<C extends CatalogAdapter = CatalogAdapter> {
  // Where names, prices and availability come from (postgresCatalog(), memoryCatalog(), or the host's own).
  catalog: C;
  // Every cart's currency (ISO 4217). Default: CART_CURRENCY, else USD.
  currency?: string;
  // The route handlers' base path (the catch-all route's folder). Default "/api".
  basePath?: string;
  // Which carts are this instance's on a shared database: one scope per market (default
  // "default", which every cart written before scopes existed has). Two instances in one
  // process need two scopes, and their own cookie name and key prefix (settings).
  scope?: string;
  // Settings by their documented names (README, "Settings"), over the environment's.
  settings?: Record<string, string | number | boolean | readonly string[] | undefined>;
  // Limits and timings with defaults that fit (docs/module.md, "Tuning"), set in code only:
  // the environment does not reach them. (A tuning name under `settings` counts as tuning.)
  tuning?: Tuning;
  // Where settings not given above are read; default process.env. Names may carry a CART_ prefix.
  env?: Record<string, string | undefined>;
  // The instance's clock (ms since the epoch), for tests; default Date.now. Every decision by time
  // reads it (limits' windows and locks, sessions' lifetimes, the guest-cart window, recovery
  // links' expiry, lines' and events' times); what expires on its own (store TTLs, cookies' Max-Age,
  // in-process caches) runs on wall time, as Redis and the browser do.
  now?: () => number;
  // Cart events in process (docs/events.md): called at least once per event, after its change
  // committed, by the instance's event worker (cart.start()); a throw has it called again later.
  onEvent?: CartEventHandler;
}

const configSchema = z.object({
  catalog: z.custom<CatalogAdapter>(
    (v) => typeof v === "object" && v !== null && typeof (v as CatalogAdapter).getProducts === "function",
    "must be a catalog adapter: an object with getProducts(ids)",
  ),
  currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as USD").optional(),
  basePath: z.string().regex(/^\/[A-Za-z0-9/_-]*[A-Za-z0-9_-]$/, "must be a path such as /api").optional(),
  scope: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, "must be 1-32 lower-case letters, digits, _ or -").optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  tuning: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  env: z.record(z.string(), z.string().optional()).optional(),
  now: z.function().optional(),
  onEvent: z.function().optional(),
});

function settingValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.join(",");
  return String(value);
}

export interface Cart<C extends CatalogAdapter = CatalogAdapter> {
  // The instance's catalog adapter, every method run as this instance: what the host's pages read too.
  catalog: C;
  // For the host's app/api/[...cart]/route.ts: export const { GET, POST, PUT, PATCH, DELETE } = cart.handlers
  handlers: ReturnType<typeof routeHandlers>;
  // The four cart server actions the components call; the host's "use server" file passes each through.
  actions: CartFormActions;
  // Every session operation of the table (lib/contract/operations.ts) as a server action, by
  // operation id: FormData in, the operation's output (or its refusal) out.
  operations: SessionActions;
  // The shopper's cart and session for server rendering (once per request).
  getCartForRender: ReturnType<typeof renderReads>["getCartForRender"];
  getSessionForRender: ReturnType<typeof renderReads>["getSessionForRender"];
  // The shopper's latest checkout, or null (a host's review and confirmation pages).
  getCheckoutForRender: ReturnType<typeof renderReads>["getCheckoutForRender"];
  // The limits the server enforces, for <CartProvider limits>.
  limits: CartLimits;
  currency: string;
  // Sign-in and sign-out of any auth library: merge the guest cart, rotate the session.
  signedIn(user: { id: string; email?: string | null }): Promise<void>;
  signedOut(): Promise<void>;
  // The cleanup job (also scheduled in-process on the embedded default; CLEANUP_SCHEDULE).
  cleanup(options?: Partial<CleanupOptions>): Promise<CleanupResult>;
  // Opens the database and applies the module's migrations (also done on first use).
  migrate(): Promise<void>;
  // For the host's instrumentation.ts register(): schedules, the event worker, logs, and the database opened early.
  start(): Promise<void>;
  // Checkouts, for the host's order system (get, complete).
  checkouts: CartCheckouts;
  // Stops what start() started (the event worker, after the deliveries in flight; the cleanup schedule).
  stop(): Promise<void>;
  // Cart events (docs/events.md): one delivery pass now, one abandoned-cart pass now, the outbox's counts.
  events: {
    deliver(): Promise<number>;
    findAbandoned(): Promise<number>;
    stats(): Promise<EventStats>;
  };
  // After each committed change: the cart's id, new version and owner (in this process).
  onCartChanged(listener: CartChangedListener): () => void;
  // The recovery-link page (GET /cart/recover) and its form (POST /cart/recover/confirm).
  recovery: {
    open(token: string | null, caller: { cookie: string | undefined; headers: Headers }): ReturnType<typeof openRecoveryLink>;
    confirm: (req: NextRequest) => Promise<Response>;
    failedPath: typeof recoveryFailedPath;
    cookieName(): string;
  };
  // The operations dashboard's checks and its "Run cleanup now" action.
  admin: { isAdmin: typeof isAdmin; runCleanup: typeof runCleanupAsAdmin };
  // Runs server-rendering work of the host's as this instance, in the request's log context.
  withRenderContext: typeof withRenderContext;
  settings: Readonly<Env>;
  // The instance itself, for the module's own integrations (authjsIdentity).
  runtime: CartRuntime;
}

// The cart components' actions: FormData in, the whole cart (or the refusal beside it) out.
export interface CartFormActions {
  add(formData: FormData): Promise<CartActionResult>;
  setQuantity(formData: FormData): Promise<CartActionResult>;
  remove(formData: FormData): Promise<CartActionResult>;
  clear(formData: FormData): Promise<CartActionResult>;
  // The cart's note (field `note`; empty clears it).
  note(formData: FormData): Promise<CartActionResult>;
}

// The host's order system's side of the checkout handoff (lib/checkout), server-side: no
// session, no HTTP. `complete` marks the checkout's cart ordered and moves its owner to a new
// cart holding what was added after the snapshot; the same orderId again answers the same.
export interface CartCheckouts {
  get(id: string): Promise<CheckoutView>;
  complete(id: string, input: { orderId: string }): Promise<CheckoutView>;
}

// The same object, each of its methods run as this instance (a catalog read from a page, say).
function boundObject<T extends object>(runtime: CartRuntime, target: T): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property);
      return typeof value === "function" ? runtime.bind((...args: unknown[]) => value.apply(object, args)) : value;
    },
  });
}

export function createCart<C extends CatalogAdapter>(config: CartConfig<C>): Cart<C> {
  const parsed = configSchema.safeParse(config);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`));
  const source: Record<string, string | undefined> = { ...(config.env ?? process.env) };
  const tuning: Tuning = { ...config.tuning };
  for (const [name, value] of Object.entries(config.settings ?? {})) {
    if ((TUNING_NAMES as readonly string[]).includes(name)) tuning[name as TuningName] = settingValue(value);
    else source[name] = settingValue(value);
  }
  if (config.currency) source.CART_CURRENCY = config.currency;
  const settings = parseEnv(source, tuning);
  const runtime = new CartRuntime({
    settings,
    catalog: config.catalog,
    scope: config.scope ?? "default",
    basePath: config.basePath ?? "/api",
    now: config.now,
    onEvent: config.onEvent,
  });
  const worker = new EventWorker(runtime);
  if (eventsRecorded(runtime)) setEventsProbe(runtime.scope, () => runtime.run(() => pendingEventCounts(runtime)));
  const attach = (config.catalog as Partial<PostgresCatalog>).attach;
  if (typeof attach === "function") attach.call(config.catalog, runtime);
  runtime.onDatabaseReady(seedDemoAccounts);
  publishLiveChanges(runtime);
  const run = <F extends (...args: never[]) => unknown>(fn: F) => runtime.bind(fn);
  const operations = sessionActions();

  return {
    catalog: boundObject(runtime, config.catalog),
    handlers: routeHandlers(runtime),
    actions: {
      add: run(async (formData: FormData) => asCartActionResult(await operations.addItem(formData))),
      // A form with a lineId names any line (one with properties too); without, the product's line without properties.
      setQuantity: run(async (formData: FormData) =>
        asCartActionResult(await (formData.has("lineId") ? operations.setLineQuantity(formData) : operations.setItemQuantity(formData))),
      ),
      remove: run(async (formData: FormData) =>
        asCartActionResult(await (formData.has("lineId") ? operations.removeLine(formData) : operations.removeItem(formData))),
      ),
      note: run(async (formData: FormData) => asCartActionResult(await operations.setNote(formData))),
      clear: run(async (formData: FormData) => asCartActionResult(await operations.clearCart(formData))),
    },
    operations: Object.fromEntries(Object.entries(operations).map(([id, action]) => [id, run(action)])) as SessionActions,
    ...renderReads(runtime),
    limits: { maxLines: settings.CART_MAX_LINES, maxQuantity: settings.CART_MAX_QUANTITY },
    currency: settings.CART_CURRENCY,
    signedIn: run(async (user: { id: string; email?: string | null }) => {
      await beginUserSession({ id: user.id, email: user.email ?? null });
    }),
    signedOut: run(endUserSession),
    cleanup: run((options: Partial<CleanupOptions> = {}) => runCleanup({ trigger: "cron", ...options })),
    migrate: run(async () => {
      await runtime.database();
    }),
    start: run(async () => {
      // Before the database opens: a database that is down at boot only delays the first run.
      startCleanupSchedule();
      worker.start();
      logEveryResponse();
      readNodeRequests(runtime.basePath, settings.TRUST_PROXY > 0);
      for (const warning of productionWarnings(settings)) log.warn(`insecure production setting: ${warning}`);
      // The dashboard's 15-minute history starts with the instance.
      startHistory();
      try {
        await runtime.database();
      } catch (err) {
        // Not fatal: writes answer 503 and the next request retries the database.
        log.error("database not ready at start", { err });
      }
    }),
    checkouts: {
      get: run((id: string) => readCheckout(id)),
      complete: run((id: string, input: { orderId: string }) => completeCheckout(id, completeCheckoutSchema.parse(input))),
    },
    stop: run(async () => {
      stopCleanupSchedule();
      await worker.stop();
    }),
    events: {
      deliver: () => worker.deliverNow(),
      findAbandoned: run(() => recordAbandoned()),
      stats: run(() => eventStats(runtime)),
    },
    onCartChanged: (listener) => runtime.onCartChanged(listener),
    recovery: {
      open: run(openRecoveryLink),
      confirm: run(withRequestLog("/cart/recover/confirm", (req) => confirmRecoveryLink(req as NextRequest))),
      failedPath: recoveryFailedPath,
      cookieName: run(sessionCookieName),
    },
    admin: { isAdmin: run(isAdmin), runCleanup: run(runCleanupAsAdmin) },
    withRenderContext: run(withRenderContext),
    settings,
    runtime,
  };
}

export { ConfigError, tuningFromEnv, type Tuning } from "./config/env";
export type { CatalogAdapter, CatalogProduct } from "./cart/catalog";
export { postgresCatalog, type PostgresCatalog, type SeedProduct, type StoredProduct } from "./catalog/postgres";
export { memoryCatalog } from "./catalog/memory";
export { authjsIdentity } from "./http/authjs";
export { methodNotAllowed } from "./http/errors";
export { openApiDocument } from "./openapi/document";
export type { CartChanged, CartChangedListener } from "./runtime/runtime";
export { EVENT_TYPES, type CartEvent, type CartEventData, type CartEventHandler, type CartEventType } from "./events/types";
export type { EventStats } from "./events/stats";
export type { CartView, CartLineView, CartNotice, CartActionResult, CartLimits, LineProperties } from "./cart/types";
export type { CheckoutView, CheckoutLine, CheckoutStatus } from "./checkout/checkouts";
export type { CleanupActionResult } from "./http/admin-actions";
export type { DashboardStats } from "./http/dashboard";
