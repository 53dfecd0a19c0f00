import { NextResponse } from "next/server";
import { z } from "zod";
import { AppError } from "../errors";
import { log } from "../log/logger";
import { isDatabaseUnavailable } from "../storage/database-errors";
import { BodyTooLarge } from "./request";

// The one mapper from anything thrown to the contract's error body.
export function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

export function validationError(error: z.ZodError): AppError {
  return new AppError(
    "VALIDATION_ERROR",
    "The request is not valid.",
    error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
  );
}

// What a client may be told about anything thrown: our own errors, invalid
// input, and a database that is briefly away (retry later). Null for
// everything else, which is our failure and stays in the logs. Route
// handlers and server actions both go through here.
export function toAppError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  if (err instanceof z.ZodError) return validationError(err);
  if (isDatabaseUnavailable(err)) {
    log.warn("database unavailable", { err });
    return new AppError("SERVICE_UNAVAILABLE", "The cart is briefly unavailable. Please try again in a moment.");
  }
  return null;
}

// How long a client should wait before trying again, in seconds, or undefined when waiting
// would not help: the one rule behind the API's Retry-After headers and the actions' retryAfter.
export function retryAfterSeconds(err: AppError): number | undefined {
  if (err.code === "SERVICE_UNAVAILABLE" || err.code === "OVERLOADED") return 2;
  if (err.code !== "RATE_LIMITED") return undefined;
  const seconds = (err.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  return typeof seconds === "number" && Number.isFinite(seconds) ? seconds : 1;
}

// The status, body and headers the contract gives an error a client may be told about.
export function appErrorReply(err: AppError): { status: number; body: unknown; headers: Headers } {
  const headers = new Headers({ "Cache-Control": "no-store" });
  const retryAfter = retryAfterSeconds(err);
  if (retryAfter !== undefined) headers.set("Retry-After", String(retryAfter));
  // The rest of an oversized body is not read (unless it was small: lib/http/request.ts): the connection ends with this answer.
  if (err.code === "PAYLOAD_TOO_LARGE" && !(err instanceof BodyTooLarge && err.readToEnd)) headers.set("Connection", "close");
  if (err.code === "UNAUTHORIZED") headers.set("WWW-Authenticate", "Bearer");
  if (err.code === "VERSION_CONFLICT") {
    // The contract puts the current cart beside the error, not inside it.
    const { cart } = (err.details ?? {}) as { cart?: { version: number } };
    if (cart) headers.set("ETag", `"${cart.version}"`);
    return { status: err.status, body: { ...errorBody(err.code, err.message), cart }, headers };
  }
  return { status: err.status, body: errorBody(err.code, err.message, err.details), headers };
}

export function toErrorResponse(thrown: unknown): NextResponse {
  const err = toAppError(thrown);
  if (err) {
    const { status, body, headers } = appErrorReply(err);
    return NextResponse.json(body, { status, headers });
  }
  log.error("unhandled error", { err: thrown });
  return NextResponse.json(errorBody("INTERNAL_ERROR", "Something went wrong on our side."), {
    status: 500,
    headers: { "Cache-Control": "no-store" },
  });
}

const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type HttpMethodName = (typeof HTTP_METHODS)[number];

// The contract's 405 (body and Allow) for a route file's other methods: a file that exports only
// GET would otherwise leave Next.js to answer the rest with an empty 405 and no Allow.
//   export const { POST, PUT, PATCH, DELETE } = methodNotAllowed("GET");
export function methodNotAllowed(...allowed: HttpMethodName[]): Record<HttpMethodName, (req: Request) => Promise<Response>> {
  const handler = (req: Request) =>
    Promise.resolve(
      NextResponse.json(errorBody("METHOD_NOT_ALLOWED", `${req.method} is not allowed here.`), {
        status: 405,
        headers: { Allow: allowed.join(", "), "Cache-Control": "no-store" },
      }) as Response,
    );
  return Object.fromEntries(HTTP_METHODS.map((method) => [method, handler])) as Record<HttpMethodName, (req: Request) => Promise<Response>>;
}
