// next-cart/client: the typed fetch client for API consumers, in the browser or Node.
export { createCartClient } from "./client";
export type { AddItemRequest, CallOptions, CartClient, CartClientOptions, MutationCallOptions } from "./client";
export { CartApiError, isCartApiError } from "./errors";
export type { CartApiErrorCode, CartApiErrorInit } from "./errors";
export { CookieJar } from "./cookie-jar";
export type { RetryInfo, RetryPolicy, RetryReason } from "./retry";
export {
  cartSchema,
  cartLineSchema,
  cartNoticeSchema,
  errorCodes,
  productSchema,
  recoveryLinkSchema,
  sessionInfoSchema,
} from "../cart/api-schemas";
export type { ApiCart as Cart, ApiProduct as Product, ApiRecoveryLink as RecoveryLink, ApiSessionInfo as SessionInfo } from "../cart/api-schemas";
export type { ErrorCode } from "../errors";
