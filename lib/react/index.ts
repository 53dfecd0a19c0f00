/**
 * The embeddable cart UI. Wrap the app in <CartProvider> (in the root layout,
 * with the cart promise and the app's server actions), then place
 * <CartCount>, <AddToCartButton> and <CartView> anywhere below it; <MergedBanner>
 * and <RecoveryLinkSection> show the sign-in merge and the "another device" link,
 * <AccountNav> the header's sign-in / sign-out.
 */
export { CartProvider, useCart, useHydrated } from "./cart-provider";
export type { CartActions, CartIntent, CartProviderProps, CartServerAction, CartStatus } from "./cart-provider";
export { AddToCartButton } from "./add-to-cart-button";
export type { AddToCartButtonProps } from "./add-to-cart-button";
export { CartView } from "./cart-view";
export type { CartViewProps } from "./cart-view";
export { CartCount } from "./cart-count";
export { formatMoney, formatItemCount } from "./format";
export {
  cartErrorMessage,
  cartErrorFromSearchParams,
  isCartErrorCode,
  mergedNoticeText,
  CART_ERROR_CODES,
  GENERIC_CART_ERROR,
} from "./messages";
export type { CartErrorCode } from "./messages";
export { applyCartOp, newerCart, DEFAULT_LIMITS } from "./cart-reducer";
export type { CartOp, CartReducerLimits, OptimisticProduct } from "./cart-reducer";
export { MergedBanner } from "./merged-banner";
export { RecoveryLinkSection } from "./recovery-link";
export { AccountNav } from "./account-nav";
export type { AccountNavProps } from "./account-nav";
export { SubmitButton } from "./submit-button";
export type { SubmitButtonProps } from "./submit-button";
export { authHref, safeReturnTo, signInErrorMessage, signUpErrorMessage, DEFAULT_RETURN_TO } from "./auth-messages";
export { EmailField, PasswordField } from "./auth-fields";
