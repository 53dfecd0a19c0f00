import { cleanup, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { CartLines } from "@/lib/react";
import { actionsWith, cartOf, line, renderCart } from "./harness";

afterEach(cleanup);

// Lines as the module's Postgres catalog describes them: each with its `/products/{slug}` href.
const fromCatalog = (productId: string) => ({ ...line(productId, 1), href: `/products/${productId}` });
const cart = cartOf([fromCatalog("p1"), fromCatalog("p2")], 3);

// Each line's name: its link's href, or null when the name is plain text.
const linkOfEachLine = () =>
  screen.getAllByTestId("line-name").map((name) => (name.tagName === "A" ? name.getAttribute("href") : null));

describe("product links", () => {
  it("link a line to its catalog's href when the host says nothing", async () => {
    await renderCart(cart, actionsWith({}), <CartLines />);
    await screen.findAllByTestId("cart-line");
    expect(linkOfEachLine()).toEqual(["/products/p1", "/products/p2"]);
  });

  it("take the provider's productHref over the catalog's href, a null answer meaning no link for that line", async () => {
    const productHref = (l: { slug: string; href: string | null }) => (l.slug === "p1" ? `/books/${l.slug}` : null);
    await renderCart(cart, actionsWith({}), <CartLines />, { productHref });
    await screen.findAllByTestId("cart-line");
    expect(linkOfEachLine()).toEqual(["/books/p1", null]);
    expect(screen.getAllByTestId("line-name")[1]!.textContent).toBe("Product p2");
  });

  it("make no links at all with productHref={null}, whatever the catalog gives", async () => {
    await renderCart(cart, actionsWith({}), <CartLines />, { productHref: null });
    await screen.findAllByTestId("cart-line");
    expect(linkOfEachLine()).toEqual([null, null]);
    expect(screen.queryAllByRole("link")).toEqual([]);
  });
});
