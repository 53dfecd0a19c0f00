import type { CatalogAdapter } from "../cart/catalog";
import type { Env } from "../config/env";
import type { CartEventHandler } from "../events/types";
import type { Database, DatabaseHandle, ReadyHook } from "../storage/database";
import { openDatabase } from "../storage/database";
import { setProbe } from "../observe/metrics";
import { openBackend, ResilientStore } from "../storage/store";
import { runInContext } from "./context";
import { sharedValue } from "./shared";

// A committed change to a cart, told to whatever follows changes (events, live carts) after
// the commit: never a hook inside a write path.
export interface CartChanged {
  cartId: string;
  version: number;
  userId: string | null;
  // The instance's cart scope (its market).
  scope: string;
}

export type CartChangedListener = (change: CartChanged) => void;

// A session that ended (sign-in rotated it, sign-out or its lifetime ended it), after the store
// and Postgres say so: whatever holds it open (a live cart stream) lets it go.
export interface SessionEnded {
  sid: string;
  userId: string | null;
  scope: string;
}

export type SessionEndedListener = (ended: SessionEnded) => void;

// One notification's listeners, shared by every evaluation of an instance's scope in this
// process: each hears each notice once, and a listener's failure is its own (what it is told
// about has already happened).
class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();

  add(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  tell(value: T): void {
    for (const listener of this.set) {
      try {
        listener(value);
      } catch {
        // its own failure
      }
    }
  }
}

export interface RuntimeOptions {
  settings: Env;
  catalog: CatalogAdapter;
  // The carts this instance owns in a shared database (its market); see createCart's `scope`.
  scope: string;
  basePath: string;
  // The instance's clock (ms since the epoch); tests pass their own.
  now?: () => number;
  // The host's in-process receiver of cart events (createCart's `onEvent`), if any.
  onEvent?: CartEventHandler;
}

// One cart instance: everything it uses, owned here and read from here. Connections are
// shared with other instances that name the same database or Redis (lib/runtime/shared.ts);
// the settings, catalog, scope, key prefix, cookie and listeners are this instance's own.
export class CartRuntime {
  readonly settings: Env;
  readonly catalog: CatalogAdapter;
  readonly scope: string;
  readonly basePath: string;
  readonly now: () => number;
  readonly onEvent: CartEventHandler | undefined;
  // The Auth.js integration's published demo accounts (lib/identity/demo-accounts.ts).
  demoAccounts: readonly { email: string; password: string }[] = [];
  // This instance's own per-window counts (lib/http/creation-budget.ts): never shared with another instance.
  readonly counters = new Map<string, number>();
  // The last health check and when it started (lib/health.ts sharedHealth).
  health: { at: number; result: Promise<{ status: string }> } | undefined;
  // When the database last answered a health check, on the instance's clock (lib/health.ts).
  databaseAnsweredAt: number | undefined;
  private readonly readyHooks: ReadyHook[] = [];
  private ready: Promise<DatabaseHandle> | undefined;
  private kv: Promise<ResilientStore> | undefined;
  // Shared by every evaluation of the same instance (its scope) in this process: Next.js builds
  // the host's cart once per module graph, and a listener added in one (instrumentation.ts) must
  // hear the changes made through another (the route handlers).
  private readonly changes: Listeners<CartChanged>;
  private readonly sessionEnds: Listeners<SessionEnded>;

  constructor(options: RuntimeOptions) {
    this.settings = options.settings;
    this.catalog = options.catalog;
    this.scope = options.scope;
    this.basePath = options.basePath;
    this.now = options.now ?? Date.now;
    this.onEvent = options.onEvent;
    this.changes = sharedValue(`cart-changed:v2:${this.scope}`, () => new Listeners<CartChanged>());
    this.sessionEnds = sharedValue(`session-ended:v2:${this.scope}`, () => new Listeners<SessionEnded>());
  }

  // Runs `fn` as this instance (every entry point does): the code below reads it from the context.
  run<T>(fn: () => T, requestId?: string): T {
    return runInContext({ runtime: this, requestId }, fn);
  }

  // The same function, run as this instance on every call (each entry point the host is given).
  bind<F extends (...args: never[]) => unknown>(fn: F): F {
    return ((...args: Parameters<F>) => this.run(() => fn(...args))) as F;
  }

  // Work to do once this instance's database is open and migrated, before it serves (the demo
  // seeds its catalog and accounts). A failing hook fails the open, which the next call retries.
  onDatabaseReady(hook: ReadyHook): void {
    this.readyHooks.push(hook);
  }

  database(): Promise<DatabaseHandle> {
    if (!this.ready) {
      const opening = openDatabase(this.settings).then(async (handle) => {
        for (const hook of this.readyHooks) await hook(handle.db);
        return handle;
      });
      this.ready = opening;
      opening.catch(() => {
        if (this.ready === opening) this.ready = undefined;
      });
    }
    return this.ready;
  }

  async db(): Promise<Database> {
    return (await this.database()).db;
  }

  store(): Promise<ResilientStore> {
    this.kv ??= openBackend(this.settings).then((backend) => {
      const resilient = new ResilientStore(backend, this.settings.STORE_KEY_PREFIX, this.settings.STORE_TIMEOUT_MS);
      setProbe("store_circuit_open", () => (resilient.circuitOpen ? 1 : 0));
      return resilient;
    });
    const current = this.kv;
    current.catch(() => {
      if (this.kv === current) this.kv = undefined;
    });
    return current;
  }

  // "Cart changed": after a change commits, every listener hears it once, in process.
  onCartChanged(listener: CartChangedListener): () => void {
    return this.changes.add(listener);
  }

  cartChanged(change: Omit<CartChanged, "scope">): void {
    this.changes.tell({ ...change, scope: this.scope });
  }

  // "Session ended": after a session's end is recorded, every listener hears it once, in process.
  onSessionEnded(listener: SessionEndedListener): () => void {
    return this.sessionEnds.add(listener);
  }

  sessionEnded(ended: Omit<SessionEnded, "scope">): void {
    this.sessionEnds.tell({ ...ended, scope: this.scope });
  }
}
