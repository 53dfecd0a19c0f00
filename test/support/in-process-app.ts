import "./next-runtime";
import { NextRequest } from "next/server";
import { demoCatalog } from "@/app/_demo/catalog";
import { demoAccounts } from "@/app/_demo/accounts";
import type { AuthjsIdentity } from "@/lib/http/authjs";
import { authjsIdentity, createCart, methodNotAllowed, postgresCatalog, tuningFromEnv, type Cart, type CartConfig } from "@/lib/server";
import { closeDatabase } from "@/lib/storage/database";
import { closeBackend } from "@/lib/storage/store";
import { TEST_METRICS_TOKEN, TEST_SESSION_SECRET } from "./app";
import { inRequestScope } from "./next-request-scope";

/**
 * The demo's cart instance in the test's own process, served through the same route handlers
 * `next start` calls (one pipeline, real Postgres / PGlite and Redis / in-process store), with
 * a `fetch` that hands each request to them: a Shopper given this fetch talks to the module
 * exactly as a browser through Next.js would, minus Next.js's own HTTP server. The routes are
 * the demo's route files: app/api/[...cart] (cart.handlers), app/api/auth/[...nextauth]
 * (Auth.js, authjsIdentity) and app/cart/recover/confirm (cart.recovery.confirm), each run in
 * Next.js's request scope (next/headers) as Next.js runs a route handler. Pages are not here:
 * a request for one throws. `action()` calls the demo's cart server actions (app/actions/cart.ts
 * passes cart.actions through) in the same scope, as Next.js calls them.
 */
export interface InProcessApp {
  url: string;
  cart: Cart;
  identity: AuthjsIdentity;
  fetch: typeof fetch;
  // A cart server action (app/actions/cart.ts) called as Next.js calls it from the browser whose
  // jar is given: its Cookie and Origin in, its Set-Cookie back into the jar. With `js`, the
  // action's state (as the cart provider reads it); without, the redirect Next.js answers a
  // plain form post with (303 and Location).
  action(jar: CookieJar, name: ActionName, fields: Record<string, string>, options?: { js?: boolean; headers?: Record<string, string>; page?: string }): Promise<ActionAnswer>;
  // What the module does for a page render of the demo (its layout and cart page read the cart
  // and the session through these two), for the browser whose jar is given; no HTML.
  renderReads(jar: CookieJar, path?: string): Promise<{ cart: Awaited<ReturnType<Cart["getCartForRender"]>>; session: Awaited<ReturnType<Cart["getSessionForRender"]>> }>;
  // A process restart: connections and in-process state dropped, a new instance from the same settings.
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface CookieJar {
  cookies: Map<string, string>;
  cookieHeader(): string;
}

// The demo's server actions: the cart's (app/actions/cart.ts) and the sign-in forms' (app/actions/auth.ts).
export type ActionName = keyof Cart["actions"] | "signIn" | "signUp" | "signOut";

export type ActionAnswer = { status: 200; result: any; location?: undefined } | { status: 303; location: string; result?: undefined };

// The settings `startApp` (test/support/app.ts) gives a real server, but for the log: a server
// writes its own output, which no suite prints; here it would go to the test's. A suite that
// reads the log sets LOG_LEVEL.
const SERVER_DEFAULTS: Record<string, string> = {
  NODE_ENV: "production",
  LOG_LEVEL: "error",
  SESSION_SECRET: TEST_SESSION_SECRET,
  METRICS_TOKEN: TEST_METRICS_TOKEN,
  AUTH_SECRET: "integration-auth-secret-0123456789-abcdefghij",
  RATE_LIMIT_DISABLED: "1",
  ADMISSION_MAX_IN_FLIGHT: "0",
  ADMISSION_MAX_EVENT_LOOP_DELAY_MS: "0",
};

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type Method = (typeof METHODS)[number];

// app/cart/recover/confirm/route.ts: POST, and the contract's 405 for the others.
const confirmOthers = methodNotAllowed("POST");

/** Keeps a response's Set-Cookie lines in a jar, as a browser (and Shopper) does. */
export function keepCookies(jar: CookieJar, headers: Headers): void {
  for (const line of headers.getSetCookie()) {
    const [pair] = line.split(";");
    const eq = pair!.indexOf("=");
    const name = pair!.slice(0, eq);
    const value = pair!.slice(eq + 1);
    if (/max-age=0/i.test(line) || value === "") jar.cookies.delete(name);
    else jar.cookies.set(name, value);
  }
}

// Where Next.js's redirect() (thrown) points: "NEXT_REDIRECT;<type>;<url>;<status>;".
function redirectTarget(err: unknown): string | null {
  const digest = (err as { digest?: unknown } | null)?.digest;
  if (typeof digest !== "string" || !digest.startsWith("NEXT_REDIRECT;")) return null;
  return digest.split(";").slice(2, -2).join(";");
}

export async function startInProcessApp(env: Record<string, string>, config: Pick<CartConfig, "now" | "scope"> = {}): Promise<InProcessApp> {
  const url = "http://127.0.0.1:3999";
  // Auth.js trusts the Host header only with AUTH_TRUST_HOST, read from process.env (startApp sets it too).
  process.env.AUTH_TRUST_HOST = "true";
  const make = () => {
    // As the demo does: tuning from variables of the same names (app/_demo/cart.ts).
    const settings = { ...SERVER_DEFAULTS, ...env };
    const cart = createCart({ catalog: postgresCatalog({ seed: demoCatalog }), env: settings, tuning: tuningFromEnv(settings), ...config });
    return { cart, identity: authjsIdentity(cart, { demoAccounts }) };
  };
  let current = make();

  const route = (request: NextRequest, method: Method): Promise<Response> => {
    const { cart, identity } = current;
    const path = request.nextUrl.pathname;
    if (path === "/api/auth" || path.startsWith("/api/auth/")) return identity.handlers[method](request);
    if (path.startsWith("/api/")) return cart.handlers[method](request);
    if (path === "/cart/recover/confirm") return method === "POST" ? cart.recovery.confirm(request) : confirmOthers[method](request);
    throw new Error(`${method} ${path}: a page, which only a real server (next start) renders`);
  };

  const send: typeof fetch = async (input, init) => {
    // A browser always sends Host (Next.js's own URL reads 127.0.0.1 as localhost).
    const target = new URL(input instanceof Request ? input.url : String(input));
    const headers = new Headers(init?.headers);
    if (!headers.has("host")) headers.set("host", target.host);
    // An HTTP client declares the length of a body it has whole (fetch does, for these).
    const body = init?.body;
    if (!headers.has("content-length") && (typeof body === "string" || body instanceof Uint8Array || body instanceof URLSearchParams)) {
      headers.set("content-length", String(typeof body === "string" ? Buffer.byteLength(body) : body instanceof Uint8Array ? body.byteLength : Buffer.byteLength(body.toString())));
    }
    const request = new NextRequest(target, { ...(init as ConstructorParameters<typeof NextRequest>[1]), headers });
    const method = request.method.toUpperCase() as Method;
    if (!METHODS.includes(method)) return new Response(null, { status: 405 });
    // In Next.js's request scope, as a route handler runs: cookies() set there (the sign-in hook's) join the answer.
    const scoped = await inRequestScope(request.nextUrl, request.headers, () => route(request, method));
    if (!scoped.ok) throw scoped.error;
    // Some answers (Auth.js's Response.redirect) have immutable headers: a copy takes the cookies.
    const res = new Response(scoped.value.body, scoped.value);
    scoped.setCookies(res.headers);
    return res;
  };

  const action: InProcessApp["action"] = async (jar, name, fields, options = {}) => {
    const form = new FormData();
    for (const [field, value] of Object.entries(fields)) form.set(field, value);
    if (options.js) form.set("js", "1");
    const headers = new Headers({ host: new URL(url).host, origin: url, ...options.headers });
    const cookie = jar.cookieHeader();
    if (cookie) headers.set("cookie", cookie);
    const { cart, identity } = current;
    const call = (): Promise<unknown> => (name === "signIn" || name === "signUp" ? identity.actions[name](form) : name === "signOut" ? identity.actions.signOut() : cart.actions[name](form));
    const scoped = await inRequestScope(new URL(options.page ?? "/cart", url), headers, call);
    const location = scoped.ok ? null : redirectTarget(scoped.error);
    if (!scoped.ok && location === null) throw scoped.error;
    // The cookies set go with the answer, a redirect's too.
    const answerHeaders = new Headers();
    scoped.setCookies(answerHeaders);
    keepCookies(jar, answerHeaders);
    // Next.js answers a form post's redirect with 303.
    return scoped.ok ? { status: 200, result: scoped.value } : { status: 303, location: location! };
  };

  const renderReads: InProcessApp["renderReads"] = async (jar, path = "/cart") => {
    const headers = new Headers({ host: new URL(url).host });
    const cookie = jar.cookieHeader();
    if (cookie) headers.set("cookie", cookie);
    const scoped = await inRequestScope(new URL(path, url), headers, async () => {
      const [cart, session] = await Promise.all([current.cart.getCartForRender(), current.cart.getSessionForRender()]);
      return { cart, session };
    });
    if (!scoped.ok) throw scoped.error;
    return scoped.value;
  };

  // As startApp waits for a server: until /api/health answers 200 (the database open and
  // migrated, the store connected: the first requests do not pay for either).
  const ready = async () => {
    await current.cart.migrate();
    const health = await send(`${url}/api/health`);
    if (health.status !== 200) throw new Error(`the in-process app is not healthy: ${health.status} ${await health.text()}`);
  };
  await ready();

  const close = async () => {
    await closeDatabase(current.cart.settings);
    await closeBackend(current.cart.settings);
  };

  return {
    url,
    get cart() {
      return current.cart;
    },
    get identity() {
      return current.identity;
    },
    fetch: send,
    action,
    renderReads,
    async restart() {
      await close();
      current = make();
      await ready();
    },
    stop: close,
  };
}
