import { NextRequest } from "next/server";
import { demoCatalog } from "@/app/_demo/catalog";
import { createCart, postgresCatalog, tuningFromEnv, type Cart } from "@/lib/server";
import { closeDatabase } from "@/lib/storage/database";
import { closeBackend } from "@/lib/storage/store";
import { TEST_SESSION_SECRET } from "./app";

/**
 * The demo's cart instance in the test's own process, served through the same route handlers
 * `next start` calls (one pipeline, real Postgres / PGlite and Redis / in-process store), with
 * a `fetch` that hands each request to them: a Shopper given this fetch talks to the module
 * exactly as a browser through Next.js would, minus Next.js's own HTTP server. Each suite that
 * uses it still has one real `next start` smoke of its backend (test/integration/cart-suite.ts).
 */
export interface InProcessApp {
  url: string;
  cart: Cart;
  fetch: typeof fetch;
  // A process restart: connections and in-process state dropped, a new instance from the same settings.
  restart(): Promise<void>;
  stop(): Promise<void>;
}

// The settings `startApp` (test/support/app.ts) gives a real server.
const SERVER_DEFAULTS: Record<string, string> = {
  NODE_ENV: "production",
  LOG_LEVEL: "warn",
  SESSION_SECRET: TEST_SESSION_SECRET,
  AUTH_SECRET: "integration-auth-secret-0123456789-abcdefghij",
  RATE_LIMIT_DISABLED: "1",
  ADMISSION_MAX_IN_FLIGHT: "0",
  ADMISSION_MAX_EVENT_LOOP_DELAY_MS: "0",
};

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

export async function startInProcessApp(env: Record<string, string>): Promise<InProcessApp> {
  const url = "http://127.0.0.1:3999";
  // As the demo does: tuning from variables of the same names (app/_demo/cart.ts).
  const make = () => createCart({ catalog: postgresCatalog({ seed: demoCatalog }), env: { ...SERVER_DEFAULTS, ...env }, tuning: tuningFromEnv({ ...SERVER_DEFAULTS, ...env }) });
  let cart = make();
  await cart.migrate();

  const send: typeof fetch = async (input, init) => {
    // A browser always sends Host (Next.js's own URL reads 127.0.0.1 as localhost).
    const target = new URL(input instanceof Request ? input.url : String(input));
    const headers = new Headers(init?.headers);
    if (!headers.has("host")) headers.set("host", target.host);
    const request = new NextRequest(target, { ...(init as ConstructorParameters<typeof NextRequest>[1]), headers });
    const method = request.method.toUpperCase() as (typeof METHODS)[number];
    if (!METHODS.includes(method)) return new Response(null, { status: 405 });
    return cart.handlers[method](request);
  };

  const close = async () => {
    await closeDatabase(cart.settings);
    await closeBackend(cart.settings);
  };

  return {
    url,
    get cart() {
      return cart;
    },
    fetch: send,
    async restart() {
      await close();
      cart = make();
      await cart.migrate();
    },
    stop: close,
  };
}
