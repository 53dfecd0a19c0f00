"use client";

import type { CartNotice, CartView } from "../cart/types";
import { useCart } from "./cart-provider";
import { formatMoney } from "./format";
import { fillMessage, mergedNoticeText, type CartMessages } from "./messages";

function noticeText(notice: CartNotice, cart: CartView, messages: CartMessages): string {
  const lineName = (productId: string) => cart.items.find((line) => line.productId === productId)?.name;
  switch (notice.type) {
    case "merged":
      return mergedNoticeText(notice.message, messages);
    case "price_changed": {
      const name = lineName(notice.productId) ?? messages.anItem;
      const template = notice.to < notice.from ? messages.priceDropped : messages.priceChanged;
      return fillMessage(template, { name, from: formatMoney(notice.from, cart.currency), to: formatMoney(notice.to, cart.currency) });
    }
    case "unavailable": {
      const name = lineName(notice.productId);
      return name ? fillMessage(messages.lineUnavailable, { name }) : notice.message || messages.someLineUnavailable;
    }
    case "quantity_capped": {
      const name = lineName(notice.productId) ?? messages.anItem;
      return fillMessage(messages.quantityCapped, { name, from: notice.from, to: notice.to });
    }
  }
}

// Good news (a merge, a lower price) is informational; the rest needs the shopper's attention.
function noticeTone(notice: CartNotice): "info" | "warning" {
  if (notice.type === "merged") return "info";
  if (notice.type === "price_changed" && notice.to < notice.from) return "info";
  return "warning";
}

// What changed in the cart since the shopper last saw it (prices, availability, a merge).
export function CartNotices({ showMerged = true }: { showMerged?: boolean }) {
  const { cart, messages } = useCart();
  const notices = showMerged ? cart.notices : cart.notices.filter((notice) => notice.type !== "merged");
  if (notices.length === 0) return null;
  return (
    <ul className="nc-notices" aria-label={messages.noticesLabel} data-testid="cart-notices">
      {notices.map((notice, index) => (
        <li
          key={`${notice.type}-${"productId" in notice ? notice.productId : index}`}
          className={`nc-notice nc-notice-${noticeTone(notice)}`}
          data-testid="cart-notice"
          data-notice-type={notice.type}
        >
          {noticeText(notice, cart, messages)}
        </li>
      ))}
    </ul>
  );
}
