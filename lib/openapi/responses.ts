import { z } from "zod";
import "zod-openapi";
import type { ZodOpenApiOperationObject, ZodOpenApiResponseObject, ZodOpenApiResponsesObject } from "zod-openapi";
import { errorBodySchema, versionConflictSchema } from "../cart/api-schemas";
import { errorStatus, type ErrorCode } from "../errors";

// The pieces every operation of the document is made of: the headers the
// contract names, and error responses narrowed to the codes a route can give.
// The status of each code comes from lib/errors.ts, the server's own table.

// Each header is one component the responses point at (header.id), which keeps the document small.
export const requestIdHeader = z
  .string()
  .meta({ description: "The request's id; the same id is on every log line of that request.", header: { id: "X-Request-Id" } });
const retryAfterHeader = z.string().regex(/^\d+$/).meta({ description: "Seconds to wait before trying again.", header: { id: "Retry-After" } });
const etagHeader = z
  .string()
  .regex(/^"\d+"$/)
  .meta({ description: "The cart's version, quoted: send it back as If-Match.", header: { id: "ETag" } });
const setCookieHeader = z.string().meta({ description: "The sealed session cookie, when it is new or changed.", header: { id: "Set-Cookie" } });
const replayedHeader = z
  .literal("true")
  .meta({ description: "This answer is the stored outcome of an earlier request with the same Idempotency-Key.", header: { id: "Idempotent-Replayed" } });

export const idempotencyKeyParam = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x20-\x7e]+$/)
  .meta({
    description:
      "1–255 printable ASCII characters. The first outcome is kept 24 h for this cookie; a repeat with the same method, path and body replays it with Idempotent-Replayed: true.",
  });

export const ifMatchParam = z
  .string()
  .meta({ description: 'The cart version the change expects, as the ETag gave it ("4"). Stale: 412 VERSION_CONFLICT and nothing changes.', example: '"4"' });

const baseHeaders = { "X-Request-Id": requestIdHeader };

export function jsonResponse(description: string, schema: z.ZodType, headers: Record<string, z.ZodType> = {}): ZodOpenApiResponseObject {
  return {
    description,
    headers: z.object({ ...baseHeaders, ...headers }),
    content: { "application/json": { schema } },
  };
}

// A response carrying a cart: ETag and no-store, the cookie, and the replay marker on keyed repeats.
export function cartHeaders(): Record<string, z.ZodType> {
  return {
    ETag: etagHeader,
    "Cache-Control": z.literal("no-store"),
    "Set-Cookie": setCookieHeader.optional(),
    "Idempotent-Replayed": replayedHeader.optional(),
  };
}

export function sessionHeaders(): Record<string, z.ZodType> {
  return { "Cache-Control": z.literal("no-store"), "Set-Cookie": setCookieHeader.optional(), "Idempotent-Replayed": replayedHeader.optional() };
}

// Groups codes by their status into one response each, with Retry-After where the contract puts it.
export function errorResponses(codes: readonly ErrorCode[]): ZodOpenApiResponsesObject {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = errorStatus[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[`${status}` as `4${string}`] = errorResponse(status, list as [ErrorCode, ...ErrorCode[]]);
  }
  return responses;
}

// One component per status and set of codes, shared by every operation that answers it.
const errorResponseCache = new Map<string, ZodOpenApiResponseObject>();

function errorResponse(status: number, codes: [ErrorCode, ...ErrorCode[]]): ZodOpenApiResponseObject {
  const id = `Error${status}_${[...codes].sort().join("_or_")}`;
  let response = errorResponseCache.get(id);
  if (!response) {
    const retry = status === 429 || status === 503;
    response = { ...jsonResponse(`Error: ${codes.join(", ")}.`, errorBodySchema(codes), retry ? { "Retry-After": retryAfterHeader } : {}), id };
    errorResponseCache.set(id, response);
  }
  return response;
}

export const versionConflictResponse: ZodOpenApiResponseObject = jsonResponse(
  "VERSION_CONFLICT: If-Match named another version; nothing changed. The current cart is beside the error.",
  versionConflictSchema,
  { ETag: etagHeader, "Cache-Control": z.literal("no-store") },
);

// What can go wrong on any route: our own failure, a database briefly away, a gateway shedding load.
export const ANY_ROUTE: ErrorCode[] = ["INTERNAL_ERROR", "SERVICE_UNAVAILABLE", "OVERLOADED"];
// What the one session-route wrapper (lib/http/session-route.ts) adds to every cart and session route.
export const SESSION_ROUTE: ErrorCode[] = [...ANY_ROUTE, "RATE_LIMITED", "SESSION_ROTATED"];
export const MUTATION: ErrorCode[] = [...SESSION_ROUTE, "FORBIDDEN_ORIGIN", "VALIDATION_ERROR", "IDEMPOTENCY_KEY_REUSED", "IDEMPOTENCY_IN_PROGRESS"];
export const JSON_BODY: ErrorCode[] = ["MALFORMED_JSON", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE", "VALIDATION_ERROR"];

// Idempotency-Key on every mutation; If-Match where the cart service checks the version.
export function mutationParams(options: { ifMatch: boolean }): ZodOpenApiOperationObject["requestParams"] {
  const header: Record<string, z.ZodType> = { "Idempotency-Key": idempotencyKeyParam.optional() };
  if (options.ifMatch) header["If-Match"] = ifMatchParam.optional();
  return { header: z.object(header) };
}
