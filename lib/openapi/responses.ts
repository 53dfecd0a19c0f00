import { z } from "zod";
import "zod-openapi";
import type { ZodOpenApiMediaTypeObject, ZodOpenApiResponseObject, ZodOpenApiResponsesObject } from "zod-openapi";
import { versionConflictSchema } from "../cart/api-schemas";
import { errorStatus, type ErrorCode } from "../errors";
import { errorBodyFor } from "./error-bodies";
import { errorExample, versionConflictExample } from "./examples";

// The pieces every operation of the document is made of: the headers the contract names, and
// error responses narrowed to the codes a route can give, each code's details typed. The
// status of each code comes from lib/errors.ts, the server's own table.

// Each header is one component the responses point at (header.id), which keeps the document small.
export const requestIdHeader = z
  .string()
  .meta({ description: "The request's id; the same id is on every log line of that request.", header: { id: "X-Request-Id" }, example: "88268a1b-d823-4e76-b3fc-1dc15acc99a0" });
const retryAfterHeader = z
  .string()
  .regex(/^\d+$/)
  .meta({ description: "Seconds to wait before trying again.", header: { id: "Retry-After" }, example: "2" });
export const etagHeader = z
  .string()
  .regex(/^"\d+"$/)
  .meta({ description: "The cart's version, quoted: send it back as If-Match.", header: { id: "ETag" }, example: '"3"' });
export const sessionCookieHeader = z.string().meta({
  description: "The sealed session cookie (`cart_session`, `__Host-cart_session` when Secure), when it is new or changed.",
  header: { id: "Set-Cookie" },
  example: "__Host-cart_session=Fe26.2*1*0c5d…; Path=/; Max-Age=2592000; HttpOnly; Secure; SameSite=Lax",
});
export const replayedHeader = z.literal("true").meta({
  description: "This answer is the stored outcome of an earlier request with the same Idempotency-Key.",
  header: { id: "Idempotent-Replayed" },
});
export const locationHeader = z.string().meta({ description: "Where the browser goes next.", header: { id: "Location" }, example: "/cart?restored=1" });
export const noStore = z.literal("no-store");

export const idempotencyKeyParam = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x20-\x7e]+$/)
  .meta({
    description:
      "1–255 printable ASCII characters. The first outcome is kept 24 h for this cookie; a repeat with the same method, path and body replays it with Idempotent-Replayed: true.",
    example: "0f8c5e1a-2b7d-4c49-9a63-5d1e7f3b2a90",
  });

export const ifMatchParam = z
  .string()
  .meta({ description: 'The cart version the change expects, as the ETag gave it ("4"). Stale: 412 VERSION_CONFLICT and nothing changes.', example: '"4"' });

// A JSON answer with its example: every response of the document carries one.
export function jsonContent(schema: z.ZodType, example: unknown): { "application/json": ZodOpenApiMediaTypeObject } {
  return { "application/json": example === undefined ? { schema } : { schema, example } };
}

export function jsonResponse(description: string, schema: z.ZodType, example: unknown, headers: Record<string, z.ZodType> = {}): ZodOpenApiResponseObject {
  return {
    description,
    headers: z.object({ "X-Request-Id": requestIdHeader, ...headers }),
    content: jsonContent(schema, example),
  };
}

// Groups codes by their status into one response each, with Retry-After where the server sends it.
export function errorResponses(codes: readonly ErrorCode[]): ZodOpenApiResponsesObject {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = errorStatus[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[`${status}` as `4${string}`] = list.includes("VERSION_CONFLICT") ? versionConflictResponse : errorResponse(status, list);
  }
  return responses;
}

// The codes whose answer carries Retry-After (lib/http/errors.ts, retryAfterSeconds).
const RETRY_AFTER: ReadonlySet<ErrorCode> = new Set<ErrorCode>(["RATE_LIMITED", "SERVICE_UNAVAILABLE", "OVERLOADED"]);

// One component per status and set of codes, shared by every operation that answers it.
const errorResponseCache = new Map<string, ZodOpenApiResponseObject>();

function errorResponse(status: number, codes: readonly ErrorCode[]): ZodOpenApiResponseObject {
  const sorted = [...codes].sort();
  const id = `Error${status}_${sorted.join("_or_")}`;
  let response = errorResponseCache.get(id);
  if (!response) {
    const headers: Record<string, z.ZodType> = { "Cache-Control": noStore };
    if (sorted.every((code) => RETRY_AFTER.has(code))) headers["Retry-After"] = retryAfterHeader;
    else if (sorted.some((code) => RETRY_AFTER.has(code))) headers["Retry-After"] = retryAfterHeader.optional();
    if (sorted.includes("UNAUTHORIZED")) headers["WWW-Authenticate"] = z.string().meta({ description: "How to authenticate.", example: "Bearer" });
    if (sorted.includes("PAYLOAD_TOO_LARGE")) {
      headers.Connection = z
        .enum(["close", "keep-alive"])
        .optional()
        .meta({ description: "close: the rest of an oversized body was not read and the connection ends. A body of at most 64 KiB in all is read to its end first, and the connection stays open." });
    }
    response = {
      id,
      description: `Error: ${sorted.join(", ")}.`,
      headers: z.object({ "X-Request-Id": requestIdHeader, ...headers }),
      content: { "application/json": { schema: errorBodyFor(sorted), examples: errorExamplesFor(sorted) } },
    };
    errorResponseCache.set(id, response);
  }
  return response;
}

// One named example per code of a response.
export function errorExamplesFor(codes: readonly ErrorCode[]) {
  return Object.fromEntries(codes.map((code) => [code, { summary: code, value: errorExample(code) }]));
}

export const versionConflictResponse: ZodOpenApiResponseObject = {
  id: "Error412_VERSION_CONFLICT",
  description: "VERSION_CONFLICT: If-Match named another version; nothing changed. The current cart is beside the error.",
  headers: z.object({ "X-Request-Id": requestIdHeader, ETag: etagHeader, "Cache-Control": noStore }),
  content: jsonContent(versionConflictSchema, versionConflictExample),
};

// What can go wrong on any route: our own failure, a database briefly away, a gateway shedding load.
export const ANY_ROUTE: ErrorCode[] = ["INTERNAL_ERROR", "SERVICE_UNAVAILABLE", "OVERLOADED"];
// What the pipeline (lib/http/pipeline.ts) adds to every session operation.
export const SESSION_ROUTE: ErrorCode[] = [...ANY_ROUTE, "RATE_LIMITED", "SESSION_ROTATED"];
// …and to every one that changes state: the origin check and the Idempotency-Key (a malformed one is a VALIDATION_ERROR).
export const MUTATION: ErrorCode[] = [...SESSION_ROUTE, "FORBIDDEN_ORIGIN", "VALIDATION_ERROR", "IDEMPOTENCY_KEY_REUSED", "IDEMPOTENCY_IN_PROGRESS"];
// …and to every one that reads a JSON body.
export const JSON_BODY: ErrorCode[] = ["MALFORMED_JSON", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE", "VALIDATION_ERROR"];

// The contract's 405: a method the path does not serve, with Allow. One component per set of methods.
const methodNotAllowedCache = new Map<string, ZodOpenApiResponseObject>();

export function methodNotAllowedResponse(methods: readonly string[]): ZodOpenApiResponseObject {
  const allow = methods.map((m) => m.toUpperCase()).join(", ");
  let response = methodNotAllowedCache.get(allow);
  if (!response) {
    response = {
      id: `MethodNotAllowed_${methods.map((m) => m.toUpperCase()).join("_")}`,
      description: `METHOD_NOT_ALLOWED: this path serves ${allow} only; Allow lists them.`,
      headers: z.object({
        Allow: z.string().meta({ description: "The methods this path serves.", example: allow }),
        "Cache-Control": noStore,
        "X-Request-Id": requestIdHeader.optional(),
      }),
      content: {
        "application/json": {
          schema: errorBodyFor(["METHOD_NOT_ALLOWED"]),
          example: errorExample("METHOD_NOT_ALLOWED"),
        },
      },
    };
    methodNotAllowedCache.set(allow, response);
  }
  return response;
}
