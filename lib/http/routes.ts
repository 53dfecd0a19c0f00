import { NextResponse, type NextRequest } from "next/server";
import { env } from "../config/env";
import { AppError } from "../errors";
import { checkHealth } from "../health";
import { endSession } from "../identity/session-bridge";
import { describeSession } from "../identity/describe";
import { runCleanup } from "../jobs/cleanup";
import { dashboardStats } from "./dashboard";
import { openApiDocument } from "../openapi/document";
import { withRequestLog } from "./request-context";
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
type Method = "GET" | "POST" | "PATCH" | "DELETE";

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
const itemPatch = sessionRoute<ItemParams>({ mutation: true, body: true }, ({ session, params, body, mutation }) => {
  const productId = productIdSchema.parse(params.productId);
  const { quantity } = setQuantitySchema.parse(body);
  return setItemQuantity(session, productId, quantity, mutation);
});
const itemDelete = sessionRoute<ItemParams>({ mutation: true }, ({ session, params, mutation }) =>
  removeItem(session, productIdSchema.parse(params.productId), mutation),
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

const healthGet = withRequestLog("/api/health", async () => {
  const health = await checkHealth();
  return NextResponse.json(health, { status: health.status === "down" ? 503 : 200, headers: { "Cache-Control": "no-store" } });
});

async function cleanupRun(req: NextRequest) {
  try {
    const secret = env().CRON_SECRET;
    // Without a secret there is no route to find.
    if (!secret) throw new AppError("NOT_FOUND", "Not found.");
    if (!bearerMatches(req.headers.get("authorization"), secret)) {
      throw new AppError("UNAUTHORIZED", "Send Authorization: Bearer <CRON_SECRET>.");
    }
    const dryRun = req.nextUrl.searchParams.get("dryRun") === "1";
    return NextResponse.json(await runCleanup({ trigger: "cron", dryRun }), { headers: { "Cache-Control": "no-store" } });
  } catch (err) {
    return toErrorResponse(err);
  }
}

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
  { pattern: "/metrics", methods: { GET: metricsResponse } },
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
      // proxy.ts has already answered a segment that is not valid percent-encoding.
      params[w.slice(1)] = decodeURIComponent(got[i]!);
    } else if (w !== got[i]) return null;
  }
  return params;
}

function notFound(): NextResponse {
  return NextResponse.json(errorBody("NOT_FOUND", "There is no such route."), { status: 404, headers: { "Cache-Control": "no-store" } });
}

export function routeHandlers(basePath = "/api"): Record<Method, (req: NextRequest) => Promise<Response>> {
  const dispatch = (method: Method) => async (req: NextRequest) => {
    const path = req.nextUrl.pathname;
    if (!path.startsWith(`${basePath}/`)) return notFound();
    const rest = path.slice(basePath.length).replace(/\/$/, "") || "/";
    for (const route of ROUTES) {
      let params: Record<string, string> | null;
      try {
        params = match(route.pattern, rest);
      } catch {
        params = null;
      }
      if (!params) continue;
      const handler = route.methods[method];
      if (!handler) {
        return NextResponse.json(errorBody("METHOD_NOT_ALLOWED", `${method} is not allowed here.`), {
          status: 405,
          headers: { Allow: Object.keys(route.methods).join(", "), "Cache-Control": "no-store" },
        });
      }
      return handler(req, { params: Promise.resolve(params) });
    }
    return notFound();
  };
  return { GET: dispatch("GET"), POST: dispatch("POST"), PATCH: dispatch("PATCH"), DELETE: dispatch("DELETE") };
}

// The paths and methods the handlers serve, for the OpenAPI check and the docs.
export function routeTable(basePath = "/api"): { path: string; methods: Method[] }[] {
  return ROUTES.map((r) => ({ path: basePath + r.pattern.replace(/:(\w+)/g, "{$1}"), methods: Object.keys(r.methods) as Method[] }));
}
