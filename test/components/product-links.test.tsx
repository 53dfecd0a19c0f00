import { cleanup, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { CartLines } from "@/lib/react";
import { actionsWith, cartOf, line, renderCart } from "./harness";

afterEach(cleanup);

// Issue 17's one place for a line's link: the catalog's href when the adapter gives one, else the
// provider's productHref(line), else no link (the name is plain text).
const withHref = (productId: string, href: string | null) => ({ ...line(productId, 1), href });
const cart = cartOf([withHref("p1", "/products/p1"), withHref("p2", null), withHref("p3", null)], 3);

// Each line's name: its link's href, or null when the name is plain text.
const linkOfEachLine = () =>
  screen.getAllByTestId("line-name").map((name) => (name.tagName === "A" ? name.getAttribute("href") : null));

describe("product links", () => {
  it("link a line to its catalog's href, and make no link where the catalog gives none and the host says nothing", async () => {
    await renderCart(cart, actionsWith({}), <CartLines />);
    await screen.findAllByTestId("cart-line");
    expect(linkOfEachLine()).toEqual(["/products/p1", null, null]);
  });

  it("ask the provider's productHref only for lines without a catalog href, a null answer meaning no link", async () => {
    const asked: string[] = [];
    const productHref = (l: { slug: string }) => (asked.push(l.slug), l.slug === "p2" ? `/books/${l.slug}` : null);
    await renderCart(cart, actionsWith({}), <CartLines />, { productHref });
    await screen.findAllByTestId("cart-line");
    expect(linkOfEachLine()).toEqual(["/products/p1", "/books/p2", null]);
    expect(new Set(asked)).toEqual(new Set(["p2", "p3"]));
    expect(screen.getAllByTestId("line-name")[2]!.textContent).toBe("Product p3");
  });
});
