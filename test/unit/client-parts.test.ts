import { describe, expect, it } from "vitest";
import { CookieJar } from "@/lib/client/cookie-jar";
import { parseRetryAfter, retryReason, sleep } from "@/lib/client/retry";

describe("the client's cookie jar", () => {
  it("keeps Set-Cookie values, replaces them, and drops expired and cleared ones", () => {
    const jar = new CookieJar();
    const first = new Headers();
    first.append("set-cookie", "cart_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=600");
    first.append("set-cookie", "other=1; Expires=Wed, 21 Oct 2099 07:28:00 GMT");
    jar.store(first);
    expect(jar.header()).toBe("cart_session=abc; other=1");

    const second = new Headers();
    second.append("set-cookie", "cart_session=def; Path=/");
    second.append("set-cookie", "other=; Max-Age=0");
    jar.store(second);
    expect(jar.header()).toBe("cart_session=def");
    expect(jar.header(Date.now() + 10 ** 12)).toBe("cart_session=def");

    const short = new Headers({ "set-cookie": "brief=x; Max-Age=1" });
    jar.store(short);
    expect(jar.header(Date.now() + 5_000)).toBe("cart_session=def");
  });
});

describe("the client's retry rules", () => {
  it("reads Retry-After as seconds or an HTTP date", () => {
    expect(parseRetryAfter("7")).toBe(7);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter("soon")).toBeNull();
    const now = Date.parse("2026-12-01T00:00:00Z");
    expect(parseRetryAfter("Tue, 01 Dec 2026 00:00:03 GMT", now)).toBe(3);
  });

  it("retries only answers that say to try again", () => {
    expect(retryReason(429, "RATE_LIMITED")).toBe("rate_limited");
    expect(retryReason(503, "OVERLOADED")).toBe("unavailable");
    expect(retryReason(409, "IDEMPOTENCY_IN_PROGRESS")).toBe("in_progress");
    expect(retryReason(409, "SESSION_ROTATED")).toBe("session_rotated");
    expect(retryReason(409, "CART_EMPTY")).toBeNull();
    expect(retryReason(422, "VALIDATION_ERROR")).toBeNull();
  });

  it("stops waiting as soon as the signal aborts", async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort(new Error("stopped"));
    await expect(waiting).rejects.toThrow("stopped");
  });
});
