// The embeddable cart UI. Wrap the app in <CartProvider> (in the root layout,
// with the cart promise, the app's server actions, the server's limits and
// optional messages), then place <CartBadge>, <AddToCartButton>, <CartDrawer>,
// <CartView> (or its parts <CartLines>, <CartSummary>, <QuantityControl>) and
// <CartNote> anywhere below it; <MergedBanner> and <RecoveryLinkSection> show the sign-in
// merge and the "another device" link, <AccountNav> the header's sign-in /
// sign-out. Styles: next-cart/react/styles.css (classes under `nc-`).
export { CartProvider, useCart, useHydrated } from "./cart-provider";
export type { CartActions, CartIntent, CartProviderProps, CartServerAction, CartStatus, ControlNote as CartControlNote, DrawerOpener, ProductHref } from "./cart-provider";
export { lineKey } from "./outbox";
export type { LiveMode } from "./live";
export { AddToCartButton } from "./add-to-cart-button";
export type { AddToCartButtonProps } from "./add-to-cart-button";
export { CartView } from "./cart-view";
export type { CartViewProps } from "./cart-view";
export { CartLines, LineProperties } from "./cart-lines";
export type { CartLinesProps } from "./cart-lines";
export { CartSummary, CheckoutButton } from "./cart-summary";
export type { CartSummaryProps, CheckoutAction } from "./cart-summary";
export { CartNotices } from "./cart-notices";
export { CartNote } from "./cart-note";
export type { CartNoteProps } from "./cart-note";
export { QuantityControl } from "./quantity-control";
export type { QuantityControlProps } from "./quantity-control";
export { CartBadge, CartBadge as CartCount } from "./cart-badge";
export { CartDrawer } from "./cart-drawer";
export type { CartDrawerProps } from "./cart-drawer";
export { formatMoney, formatItemCount } from "./format";
export {
  cartErrorMessage,
  cartErrorFromSearchParams,
  isCartErrorCode,
  mergedNoticeText,
  fillMessage,
  itemCountText,
  defaultCartMessages,
  CART_ERROR_CODES,
  GENERIC_CART_ERROR,
} from "./messages";
export type { CartErrorCode, CartMessages, CartMessagesOverride } from "./messages";
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
