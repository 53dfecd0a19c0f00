import type { ApiCart } from "../cart/api-schemas";
import type { ErrorCode } from "../errors";

// What the typed client throws for every answer that is not a success: the
// contract's code and message, and what a caller needs to react (when to try
// again, the request id to quote, the current cart on a version conflict).
// UNEXPECTED_RESPONSE is the client's own: an answer outside the contract
// (a proxy's HTML page, a body the schemas do not accept).

export type CartApiErrorCode = ErrorCode | "UNEXPECTED_RESPONSE" | (string & {});

export interface CartApiErrorInit {
  status: number;
  code: CartApiErrorCode;
  message: string;
  details?: unknown;
  requestId?: string | null;
  retryAfter?: number | null;
  cart?: ApiCart;
}

export class CartApiError extends Error {
  readonly status: number;
  readonly code: CartApiErrorCode;
  readonly details: unknown;
  // X-Request-Id of the answer: the same id is on every server log line of that request.
  readonly requestId: string | null;
  // Seconds the server asked to wait (Retry-After), when it said.
  readonly retryAfter: number | null;
  // On VERSION_CONFLICT, the cart as it is now.
  readonly cart: ApiCart | undefined;

  constructor(init: CartApiErrorInit) {
    super(init.message);
    this.name = "CartApiError";
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
    this.requestId = init.requestId ?? null;
    this.retryAfter = init.retryAfter ?? null;
    this.cart = init.cart;
  }
}

export function isCartApiError(err: unknown, code?: CartApiErrorCode): err is CartApiError {
  return err instanceof CartApiError && (code === undefined || err.code === code);
}
