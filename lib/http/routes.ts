import { NextResponse, type NextRequest } from "next/server";
import { z } from "zod";
import { env } from "../config/env";
import { AppError } from "../errors";
import { checkHealth } from "../health";
import { endSession } from "../identity/session-bridge";
import { describeSession } from "../identity/describe";
import { runCleanup } from "../jobs/cleanup";
import { dashboardStats } from "./dashboard";
import { openApiDocument } from "../openapi/document";
import { withRequestContext, withRequestLog } from "./request-context";
import type { CartRuntime } from "../runtime/runtime";
import { listCatalog } from "../cart/catalog";
import { addItemSchema, productIdSchema, setQuantitySchema } from "../cart/schemas";
import { addItem, clearCart, getCart, removeItem, setItemQuantity } from "../session/cart";
import { createRecoveryLink } from "../session/recovery-link";
import { freshSession } from "../session/session";
import { requireAdmin } from "./admin";
import { bearerMatches } from "./bearer";
import { errorBody, toErrorResponse } from "./errors";
import { metricsResponse } from "./metrics";
import { publicOrigin } from "./request";
import { sessionRoute } from "./session-route";

// Every route of the contract behind one catch-all route file of the host
// (app/api/[...cart]/route.ts): a table of patterns, each with its methods. A path the
// table does not know answers 404, a method it does not list 405, both in the contract's shape.
// Each handler's params are what its pattern matched; the table checks that by construction.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (req: NextRequest, context: { params: Promise<any> }) => Promise<Response>;
// PUT is listed so that it gets the contract's 405 (with Allow) rather than Next.js's empty one.
type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

interface Route {
  pattern: string;
  methods: Partial<Record<Method, Handler>>;
}

const cartGet = sessionRoute({}, ({ session }) => getCart(session));
const cartDelete = sessionRoute({ mutation: true }, ({ session, mutation }) => clearCart(session, mutation));

const itemsPost = sessionRoute({ mutation: true, body: true }, ({ session, body, mutation }) =>
  addItem(session, addItemSchema.parse(body), mutation),
);

type ItemParams = { productId: string };
// Parsed as an object, so a refusal names the parameter (details path ["productId"]).
const itemPath = z.object({ productId: productIdSchema });
const itemPatch = sessionRoute<ItemParams>({ mutation: true, body: true }, ({ session, params, body, mutation }) => {
  const { productId } = itemPath.parse(params);
  const { quantity } = setQuantitySchema.parse(body);
  return setItemQuantity(session, productId, quantity, mutation);
});
const itemDelete = sessionRoute<ItemParams>({ mutation: true }, ({ session, params, mutation }) =>
  removeItem(session, itemPath.parse(params).productId, mutation),
);

const recoveryLinkPost = sessionRoute({ mutation: true }, async ({ req, session }) => {
  const { session: current, link } = await createRecoveryLink(session, publicOrigin(req));
  return { session: current, status: 201, json: link };
});

const sessionGet = sessionRoute({}, async ({ session }) => ({ session, json: await describeSession(session) }));
const sessionDelete = sessionRoute({ mutation: true }, async ({ session }) => {
  await endSession(session);
  const next = freshSession();
  return { session: next, json: await describeSession(next) };
});

// GET /api/ping — fixed JSON through the whole pipeline (request id, admission, metrics, log
// line) and nothing else: a liveness probe that touches no backend, and the benchmark's
// measure of what the pipeline itself costs.
const PONG = JSON.stringify({ ok: true });
const pingGet = withRequestLog("/api/ping", async () =>
  new NextResponse(PONG, { headers: { "Content-Type": "application/json", "Cache-Control": "no-store" } }),
);

const productsGet = withRequestLog("/api/products", async () => {
  try {
    const products = (await listCatalog()).map(({ id, slug, name, description, price, currency, active }) => ({
      id,
      slug,
      name,
      description,
      price,
      currency,
      active,
    }));
    return NextResponse.json({ products }, { headers: { "Cache-Control": "public, max-age=10" } });
  } catch (err) {
    return toErrorResponse(err);
  }
});

// Health and metrics stay answerable when the process is saturated (no admission): an orchestrator must not kill a busy instance.
const healthGet = (req: Request) =>
  withRequestContext(req, { route: "/api/health", admission: false }, async () => {
    const health = await checkHealth();
    return NextResponse.json(health, { status: health.status === "down" ? 503 : 200, headers: { "Cache-Control": "no-store" } });
  });
const metricsGet = (req: NextRequest) => withRequestContext(req, { route: "/api/metrics", admission: false }, () => metricsResponse(req));

const cleanupRun = withRequestLog("/api/cron/cleanup", async (req: Request) => {
  try {
    const secret = env().CRON_SECRET;
    // Without a secret there is no route to find.
    if (!secret) throw new AppError("NOT_FOUND", "Not found.");
    if (!bearerMatches(req.headers.get("authorization"), secret)) {
      throw new AppError("UNAUTHORIZED", "Send Authorization: Bearer <CRON_SECRET>.");
    }
    const dryRun = new URL(req.url).searchParams.get("dryRun") === "1";
    return NextResponse.json(await runCleanup({ trigger: "cron", dryRun }), { headers: { "Cache-Control": "no-store" } });
  } catch (err) {
    return toErrorResponse(err);
  }
});

// The OpenAPI document never changes while a process runs: built once.
let document: ReturnType<typeof openApiDocument> | undefined;
const openApiGet = withRequestLog("/api/openapi.json", async () => {
  document ??= openApiDocument();
  return NextResponse.json(document, { headers: { "Cache-Control": "public, max-age=300" } });
});

const adminStatsGet = sessionRoute({}, async ({ session }) => {
  await requireAdmin(session);
  return { session, json: await dashboardStats() };
});

// Patterns under the base path (/api by default); `:name` matches one segment.
const ROUTES: Route[] = [
  { pattern: "/cart", methods: { GET: cartGet, DELETE: cartDelete } },
  { pattern: "/cart/items", methods: { POST: itemsPost } },
  { pattern: "/cart/items/:productId", methods: { PATCH: itemPatch, DELETE: itemDelete } },
  { pattern: "/cart/recovery-link", methods: { POST: recoveryLinkPost } },
  { pattern: "/session", methods: { GET: sessionGet, DELETE: sessionDelete } },
  { pattern: "/products", methods: { GET: productsGet } },
  { pattern: "/health", methods: { GET: healthGet } },
  { pattern: "/metrics", methods: { GET: metricsGet } },
  { pattern: "/ping", methods: { GET: pingGet } },
  { pattern: "/cron/cleanup", methods: { GET: cleanupRun, POST: cleanupRun } },
  { pattern: "/admin/stats", methods: { GET: adminStatsGet } },
  { pattern: "/openapi.json", methods: { GET: openApiGet } },
];

function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i += 1) {
    const w = want[i]!;
    if (w.startsWith(":")) {
      if (got[i] === "") return null;
      params[w.slice(1)] = decodeSegment(got[i]!, w.slice(1));
    } else if (w !== got[i]) return null;
  }
  return params;
}

// A segment that is not valid percent-encoded UTF-8 is the client's mistake: 422 naming the parameter.
function decodeSegment(segment: string, name: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AppError("VALIDATION_ERROR", "The request is not valid.", [{ path: [name], message: "must be valid percent-encoded UTF-8" }]);
  }
}

function notFound(): NextResponse {
  return NextResponse.json(errorBody("NOT_FOUND", "There is no such route."), { status: 404, headers: { "Cache-Control": "no-store" } });
}

// The handlers of one instance: each request runs as that instance (lib/runtime/context.ts).
export function routeHandlers(runtime: CartRuntime): Record<Method, (req: NextRequest) => Promise<Response>> {
  const basePath = runtime.basePath;
  const route = (method: Method, req: NextRequest): Promise<Response> => {
    const path = req.nextUrl.pathname;
    if (!path.startsWith(`${basePath}/`)) return Promise.resolve(notFound());
    const rest = path.slice(basePath.length).replace(/\/$/, "") || "/";
    for (const route of ROUTES) {
      let params: Record<string, string> | null;
      try {
        params = match(route.pattern, rest);
      } catch (err) {
        return Promise.resolve(toErrorResponse(err));
      }
      if (!params) continue;
      const handler = route.methods[method];
      if (!handler) {
        return Promise.resolve(NextResponse.json(errorBody("METHOD_NOT_ALLOWED", `${method} is not allowed here.`), {
          status: 405,
          headers: { Allow: Object.keys(route.methods).join(", "), "Cache-Control": "no-store" },
        }) as Response);
      }
      return handler(req, { params: Promise.resolve(params) });
    }
    return Promise.resolve(notFound());
  };
  const dispatch = (method: Method) => (req: NextRequest) => runtime.run(() => route(method, req));
  return { GET: dispatch("GET"), POST: dispatch("POST"), PUT: dispatch("PUT"), PATCH: dispatch("PATCH"), DELETE: dispatch("DELETE") };
}

// The paths and methods the handlers serve, for the OpenAPI check and the docs.
export function routeTable(basePath = "/api"): { path: string; methods: Method[] }[] {
  return ROUTES.map((r) => ({ path: basePath + r.pattern.replace(/:(\w+)/g, "{$1}"), methods: Object.keys(r.methods) as Method[] }));
}
