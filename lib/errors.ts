// One error type for everything a client may be told. The code is the
// contract's; the HTTP status follows from it (lib/http/errors.ts).
export const errorStatus = {
  VALIDATION_ERROR: 422,
  MALFORMED_JSON: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHORIZED: 401,
  FORBIDDEN_ORIGIN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PRODUCT_NOT_FOUND: 422,
  PRODUCT_UNAVAILABLE: 422,
  QUANTITY_LIMIT: 422,
  LINE_LIMIT: 422,
  ITEM_NOT_FOUND: 404,
  EMAIL_TAKEN: 409,
  CART_EMPTY: 409,
  CHECKOUT_NOT_FOUND: 404,
  CHECKOUT_COMPLETED: 409,
  CHECKOUT_CANCELLED: 409,
  RECOVERY_LINK_INVALID: 404,
  RECOVERY_LINK_EXPIRED: 410,
  RECOVERY_LINK_USED_UP: 409,
  VERSION_CONFLICT: 412,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_IN_PROGRESS: 409,
  SESSION_ROTATED: 409,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  // GET /api/cart/live where the store cannot push (Upstash's REST API has no subscribe): poll GET /api/cart with If-None-Match.
  LIVE_UNAVAILABLE: 501,
  OVERLOADED: 503,
  INTERNAL_ERROR: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "AppError";
  }

  get status(): number {
    return errorStatus[this.code];
  }
}

// A request carrying the cookie from before a sign-in or sign-out (or reaching a guest cart
// that was just merged): refused, so the client retries with the current cookie.
export function sessionRotated(): AppError {
  return new AppError("SESSION_ROTATED", "You signed in or out meanwhile. Retry with the current session cookie.");
}
