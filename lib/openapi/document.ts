import { z } from "zod";
import { createDocument, type oas31, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from "zod-openapi";
import { cartSchema } from "../cart/api-schemas";
import { isStreaming, operationList, registerOperation, type OperationSpec } from "../contract/operations";
import { errorStatus, type ErrorCode } from "../errors";
import { exampleOf } from "./examples";
import {
  ANY_ROUTE,
  errorResponses,
  idempotencyKeyParam,
  ifMatchParam,
  jsonContent,
  jsonResponse,
  JSON_BODY,
  locationHeader,
  methodNotAllowedResponse,
  MUTATION,
  noStore,
  replayedHeader,
  requestIdHeader,
  SESSION_ROUTE,
  sessionCookieHeader,
  etagHeader,
} from "./responses";

// The OpenAPI 3.1 document of the HTTP contract (docs/api.md), derived from the operation
// table (lib/contract/operations.ts): one operation per entry, with its operationId, tag,
// security, parameters, body, success answer (headers and example) and every error it can
// give, narrowed per status to its codes with each code's details typed, plus the 405 every
// path answers to a method it does not serve. Auth.js's own routes and the pages the contract
// names are written out here (they are not the table's). Pure: no I/O, the same document
// every call. test/integration/openapi.test.ts holds it against the running app;
// test/unit/openapi-lint.test.ts lints it (redocly) and test/unit/openapi-client.test.ts
// type-checks an openapi-fetch client generated from it.

// Optional fields the table may carry (read only when present): the Cache-Control a route
// that is not a session operation answers with, whether the credential of its access is
// optional or required (default: optional for a session cookie, which a first visit has
// not yet; required for a bearer token), and an example of its output.
export interface TableHints {
  cacheControl?: string;
  credentials?: "optional" | "required";
  example?: unknown;
}
type Spec = OperationSpec & TableHints;

// Auth.js's integration is mounted at /api/auth whatever the cart's base path.
const AUTH_BASE = "/api";

type Method = "get" | "post" | "put" | "patch" | "delete";
const lower = (method: OperationSpec["method"]) => method.toLowerCase() as Method;

// ---- The table's operations ------------------------------------------------------------------

// Every code an operation can answer with: the pipeline's by access (lib/http/pipeline.ts,
// lib/http/routes.ts), then the operation's own.
export function errorCodesOf(op: OperationSpec): ErrorCode[] {
  const codes: ErrorCode[] = [...(op.access === "session" ? (op.changesCart ? MUTATION : SESSION_ROUTE) : ANY_ROUTE)];
  if (op.body) codes.push(...JSON_BODY);
  // A path parameter is validated (and must be valid percent-encoding).
  if (op.params) codes.push("VALIDATION_ERROR");
  codes.push(...op.errors);
  if (op.ifMatch) codes.push("VERSION_CONFLICT");
  const alsoOk = op.alsoOk ?? [];
  return [...new Set(codes)].filter(
    // Admission never refuses an exempt operation; a status whose body is the output is not an error.
    (code) => !(op.exemptFromAdmission && code === "OVERLOADED") && !alsoOk.includes(errorStatus[code]),
  );
}

type Security = oas31.SecurityRequirementObject[];

function securityOf(op: Spec): Security {
  if (op.access === "public") return [];
  const scheme = op.access === "session" ? "sessionCookie" : "bearer";
  const optional = op.credentials ? op.credentials === "optional" : op.access === "session";
  return optional ? [{}, { [scheme]: [] }] : [{ [scheme]: [] }];
}

function successHeaders(op: Spec): Record<string, z.ZodType> {
  if (op.access !== "session") {
    return { "Cache-Control": op.cacheControl ? z.literal(op.cacheControl) : z.string().meta({ description: "How long the answer may be cached." }) };
  }
  if (isStreaming(op)) {
    // A stream: never stored or compressed, never buffered by a proxy (nginx reads X-Accel-Buffering).
    return { "Cache-Control": z.literal("no-store, no-transform"), "X-Accel-Buffering": z.literal("no"), "Set-Cookie": sessionCookieHeader.optional() };
  }
  // The pipeline's answer: no-store, the cookie when it changed, the replay marker, and ETag on a cart.
  const headers: Record<string, z.ZodType> = { "Cache-Control": noStore, "Set-Cookie": sessionCookieHeader.optional() };
  if (op.changesCart) headers["Idempotent-Replayed"] = replayedHeader.optional();
  if (op.output === cartSchema) headers.ETag = etagHeader;
  return headers;
}

function successResponses(op: Spec): ZodOpenApiResponsesObject {
  const content = (status: number) => {
    const example = status === op.status ? (op.example ?? exampleOf(op.output)) : exampleOf(op.output, status);
    if (!op.contentType) return jsonContent(op.output, example);
    return { [op.contentType]: example === undefined ? { schema: op.output } : { schema: op.output, example } };
  };
  const headers = z.object({ "X-Request-Id": requestIdHeader, ...successHeaders(op) });
  const responses: ZodOpenApiResponsesObject = { [`${op.status}`]: { description: op.outputDescription, headers, content: content(op.status) } };
  if (op.access === "session" && op.method === "GET" && op.output === cartSchema) {
    responses["304"] = {
      description: "Not Modified: the cart is still the version If-None-Match names (no body; nothing to show once).",
      headers: z.object({ "X-Request-Id": requestIdHeader, ETag: etagHeader, "Cache-Control": noStore, "Set-Cookie": sessionCookieHeader.optional() }),
    };
  }
  for (const status of op.alsoOk ?? []) {
    responses[`${status}` as `5${string}`] = { description: `The same body as ${op.status}: ${op.outputDescription}`, headers, content: content(status) };
  }
  return responses;
}

function headerParams(op: Spec): z.ZodObject | undefined {
  if (isStreaming(op)) {
    return z.object({
      "Last-Event-ID": z
        .string()
        .optional()
        .meta({ description: "The last event's id (the cart version the client holds), as EventSource sends it on reconnecting: the cart is sent at once only when its version differs.", example: "3" }),
    });
  }
  if (op.access === "session" && op.method === "GET" && op.output === cartSchema) {
    return z.object({
      "If-None-Match": z
        .string()
        .optional()
        .meta({ description: 'The ETag of the cart the client holds (`"<version>"`): answered `304 Not Modified`, without a body, while the cart is unchanged.', example: '"3"' }),
    });
  }
  // The pipeline reads Idempotency-Key on every session operation that changes state, If-Match where the table says.
  if (op.access !== "session" || !op.changesCart) return undefined;
  return z.object({ "Idempotency-Key": idempotencyKeyParam.optional(), ...(op.ifMatch ? { "If-Match": ifMatchParam.optional() } : {}) });
}

// One entry of the table as an OpenAPI operation; `allow` is every method its path serves (for the 405).
export function tableOperation(op: Spec, allow: readonly string[]): ZodOpenApiOperationObject {
  const requestParams = { path: op.params, query: op.query, header: headerParams(op) };
  return {
    operationId: op.id,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    security: securityOf(op),
    requestParams: Object.fromEntries(Object.entries(requestParams).filter(([, schema]) => schema !== undefined)),
    ...(op.body ? { requestBody: { required: true, content: jsonContent(op.body, exampleOf(op.body)) } } : {}),
    responses: { ...successResponses(op), ...errorResponses(errorCodesOf(op)), "405": methodNotAllowedResponse(allow) },
  };
}

// Every entry of the table (and the Auth.js integration's register), by full path.
export function tableOperations(basePath = "/api"): { path: string; method: Method; op: OperationSpec }[] {
  return [
    ...operationList.map((op) => ({ path: basePath + op.path, method: lower(op.method), op })),
    { path: AUTH_BASE + registerOperation.path, method: lower(registerOperation.method), op: registerOperation },
  ];
}

// ---- Auth.js's routes and the pages (not the table's) ---------------------------------------

const html = (description: string, example: string, headers: Record<string, z.ZodType> = {}) => ({
  description,
  headers: z.object(headers),
  content: { "text/html": { schema: z.string(), example } },
});

const redirect = (description: string, headers: Record<string, z.ZodType> = {}) => ({
  description,
  headers: z.object({ Location: locationHeader, ...headers }),
});

const authCookies = z.string().meta({
  description:
    "Auth.js's cookies: `authjs.csrf-token` and `authjs.callback-url` here (prefixed `__Host-`/`__Secure-` over HTTPS); on a sign-in `authjs.session-token`, cleared on a sign-out. One Set-Cookie line each.",
  example: "authjs.csrf-token=8c1131…%7C9de91d…; Path=/; HttpOnly; SameSite=Lax",
});
const bothCookies = z.string().meta({
  description:
    "Signed in: `authjs.session-token` (Auth.js's session) and a new sealed `cart_session` (the guest cart merged into the account's). Signed out: `authjs.session-token` cleared and a new guest `cart_session`. Refused: none. One Set-Cookie line each.",
  example: "authjs.session-token=eyJhbGciOiJkaXIi…; Path=/; HttpOnly; SameSite=Lax",
});
const returnRedirect = z.object({
  "X-Auth-Return-Redirect": z
    .literal("1")
    .optional()
    .meta({ description: "Answer 200 with the URL as JSON (`{url}`) instead of the 302, as Auth.js's own client asks." }),
});
const authRedirectSchema = z.object({ url: z.string().meta({ description: "Where the 302 would have gone." }) }).meta({ id: "AuthRedirect" });
const optionalCookie: Security = [{}, { sessionCookie: [] }];

function authRoutes(): ZodOpenApiPathsObject {
  const form = (schema: z.ZodObject, example: Record<string, string>) => ({
    required: true,
    content: { "application/x-www-form-urlencoded": { schema, example } },
  });
  const callbackUrl = z.string().optional().meta({ description: "Where to go afterwards (same origin); default the page the flow started on." });
  return {
    [`${AUTH_BASE}/auth/csrf`]: {
      get: {
        operationId: "getCsrfToken",
        tags: ["Accounts"],
        summary: "Auth.js: the CSRF token its sign-in and sign-out forms need",
        description: "The token is checked against the cookie this answer sets (double submit): send both with the form.",
        security: [],
        responses: {
          "200": jsonResponse("The token; Set-Cookie carries its cookie.", z.object({ csrfToken: z.string() }).meta({ id: "CsrfToken" }), { csrfToken: "8c113101a4bc966123addb5b47bf4ac0" }, {
            "Set-Cookie": authCookies,
            "Cache-Control": z.string().meta({ example: "private, no-cache, no-store" }),
          }),
          ...errorResponses(ANY_ROUTE),
          "405": methodNotAllowedResponse(["GET"]),
        },
      },
    },
    [`${AUTH_BASE}/auth/callback/credentials`]: {
      post: {
        operationId: "signInWithCredentials",
        tags: ["Accounts"],
        summary: "Auth.js: sign in with email and password",
        description:
          "The sign-in form's post, with `csrfToken` from GET /api/auth/csrf and its cookie. Signed in: 302 to `callbackUrl` with Auth.js's session cookie and a new cart session cookie (the guest cart merged into the account's). Refused: 302 to `/signin?error=CredentialsSignin&code=credentials`, no session cookie. Counted against the guessing limits before any password is hashed.",
        security: optionalCookie,
        requestParams: { header: returnRedirect },
        requestBody: form(z.object({ email: z.string(), password: z.string(), csrfToken: z.string(), callbackUrl }), {
          email: "ada@example.com",
          password: "correct-horse-battery",
          csrfToken: "8c113101a4bc966123addb5b47bf4ac0",
        }),
        responses: {
          "200": jsonResponse("With X-Auth-Return-Redirect: 1, where to go (signed in or back to the sign-in page).", authRedirectSchema, { url: "https://shop.example/cart" }, {
            "Set-Cookie": bothCookies.optional(),
          }),
          "302": redirect("Signed in (Set-Cookie: Auth.js's session and a new cart session), or back to the sign-in page with ?error=CredentialsSignin.", {
            "Set-Cookie": bothCookies.optional(),
            "X-Request-Id": requestIdHeader,
          }),
          ...errorResponses(["RATE_LIMITED", "PAYLOAD_TOO_LARGE", ...ANY_ROUTE]),
          "405": methodNotAllowedResponse(["POST"]),
        },
      },
    },
    [`${AUTH_BASE}/auth/signout`]: {
      post: {
        operationId: "signOut",
        tags: ["Accounts"],
        summary: "Auth.js: sign out (our code ends the session whether or not Auth.js can read its token)",
        description: "The sign-out form's post, with `csrfToken` from GET /api/auth/csrf and its cookie. The device gets a new guest session.",
        security: optionalCookie,
        requestParams: { header: returnRedirect },
        requestBody: form(z.object({ csrfToken: z.string(), callbackUrl }), { csrfToken: "8c113101a4bc966123addb5b47bf4ac0" }),
        responses: {
          "200": jsonResponse("With X-Auth-Return-Redirect: 1, where to go.", authRedirectSchema, { url: "https://shop.example/" }, { "Set-Cookie": bothCookies.optional() }),
          "302": redirect("Signed out (Set-Cookie: Auth.js's session cleared, a new guest cart session).", {
            "Set-Cookie": bothCookies.optional(),
            "X-Request-Id": requestIdHeader,
          }),
          ...errorResponses(["PAYLOAD_TOO_LARGE", ...ANY_ROUTE]),
          "405": methodNotAllowedResponse(["POST"]),
        },
      },
    },
  };
}

function pages(): ZodOpenApiPathsObject {
  const page = "<!doctype html><html lang=\"en\"><head><title>next-cart</title></head><body>…</body></html>";
  return {
    "/docs/api": {
      get: {
        operationId: "getApiReference",
        tags: ["Pages"],
        summary: "The readable reference of this document (served by the app, works offline)",
        security: [],
        responses: {
          "200": html("The page.", page, {
            "Content-Security-Policy": z.string().meta({ description: "Only the app's own origin.", example: "default-src 'none'; script-src 'self'; connect-src 'self'" }),
            "Cache-Control": z.string().meta({ example: "public, max-age=300" }),
          }),
          "405": methodNotAllowedResponse(["GET"]),
        },
      },
    },
    "/cart/recover": {
      get: {
        operationId: "openRecoveryLink",
        tags: ["Pages"],
        summary: "The recovery page: lists the link's lines with an “Add to my cart” form; changes nothing",
        security: optionalCookie,
        requestParams: { query: z.object({ token: z.string().max(2048).optional().meta({ description: "The link's signed token." }) }) },
        responses: {
          "200": html("The page.", page),
          "307": {
            ...redirect("An invalid, expired or used-up link (or too many tries): to /cart/recover/failed?reason=…"),
            content: { "text/html": { schema: z.string(), example: "" } },
          },
        },
      },
    },
    "/cart/recover/confirm": {
      post: {
        operationId: "confirmRecoveryLink",
        tags: ["Pages"],
        summary: "The recovery page's form: restore the link's lines into the opener's cart",
        security: optionalCookie,
        requestBody: {
          required: true,
          content: { "application/x-www-form-urlencoded": { schema: z.object({ token: z.string() }), example: { token: "v1.eyJsIjoiM2Y0YiJ9.Qm9vaw" } } },
        },
        responses: {
          "303": redirect("To /cart?restored=1 (or again, none), to the failure page, or to the busy page over the limit.", {
            "Set-Cookie": sessionCookieHeader.optional(),
            "X-Request-Id": requestIdHeader,
          }),
          ...errorResponses(["FORBIDDEN_ORIGIN", "UNSUPPORTED_MEDIA_TYPE", "PAYLOAD_TOO_LARGE", "INTERNAL_ERROR", "OVERLOADED"]),
          "405": methodNotAllowedResponse(["POST"]),
        },
      },
    },
  };
}

// ---- The document ----------------------------------------------------------------------------

function paths(basePath: string): ZodOpenApiPathsObject {
  const table = tableOperations(basePath);
  const methodsOf = (path: string) => table.filter((entry) => entry.path === path).map((entry) => entry.method);
  const result: ZodOpenApiPathsObject = {};
  for (const { path, method, op } of table) {
    result[path] = { ...result[path], [method]: tableOperation(op, methodsOf(path)) };
  }
  return { ...result, ...authRoutes(), ...pages() };
}

const DESCRIPTION = `The cart HTTP API (contract v1.2, docs/api.md). JSON in and out; money in minor units;
the caller is identified only by the sealed session cookie. Every error has the body
\`{"error": {"code", "message", "details"?}}\`; each response lists the codes it can carry and the
\`details\` of each. Every response carries \`X-Request-Id\`. State-changing requests from another
origin get \`403 FORBIDDEN_ORIGIN\`. A method a path does not serve gets \`405 METHOD_NOT_ALLOWED\`
with \`Allow\`.`;

export function openApiDocument(options: { basePath?: string } = {}): oas31.OpenAPIObject {
  return createDocument({
    openapi: "3.1.0",
    info: { title: "next-cart", version: "1.2.0", description: DESCRIPTION, license: { name: "MIT", identifier: "MIT" } },
    servers: [{ url: "/", description: "The app itself: paths are absolute." }],
    tags: [
      { name: "Cart", description: "The caller's cart. Every cart answer carries ETag and Cache-Control: no-store." },
      {
        name: "Checkout",
        description:
          "Handing the cart to a checkout (the caller's session), and completing it from the host's order system (Authorization: Bearer CHECKOUT_SECRET).",
      },
      { name: "Session", description: "Who the caller is; signing out of the cart's session." },
      { name: "Catalog", description: "What can be added to a cart." },
      { name: "Accounts", description: "Registering, and Auth.js's sign-in and sign-out." },
      { name: "Operations", description: "Probes, metrics, this document and the cleanup job." },
      { name: "Pages", description: "Browser pages the contract names: not JSON." },
    ],
    paths: paths(options.basePath ?? "/api"),
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "METRICS_TOKEN for /api/metrics, CRON_SECRET for /api/cron/cleanup, CHECKOUT_SECRET for /api/checkouts/*." },
        sessionCookie: {
          type: "apiKey",
          in: "cookie",
          name: "cart_session",
          description:
            "The sealed session cookie the app sets (`__Host-cart_session` when the cookie is Secure); it identifies, it does not authorise alone. A first visit has none yet: the answer sets it.",
        },
      },
    },
  });
}
