import { describe, expect, it } from "vitest";
import { redact, redactError, REDACTED, scrubString } from "@/lib/log/redact";
import { chooseRequestId, isValidRequestId } from "@/lib/log/request-id";

const SEALED = "Fe26.2*1*3f1c0a9e7b*abcDEF_-123*~2*xyz*";
const HASH = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";

describe("redact", () => {
  it("replaces cookies, Authorization, passwords, tokens, csrf tokens and secrets at any depth", () => {
    const out = redact({
      headers: { cookie: "cart_session=abc", "set-cookie": ["authjs.session-token=xyz; Path=/"], authorization: "Bearer t0k3n", accept: "*/*" },
      user: { email: "a@example.com", password: "hunter2", passwordHash: HASH },
      body: { csrfToken: "c5rf", token: "tok", secret: "s3cret", nested: { deeper: { apiKey: "k" } } },
      count: 3,
    }) as any;
    expect(out.headers).toEqual({ cookie: REDACTED, "set-cookie": REDACTED, authorization: REDACTED, accept: "*/*" });
    expect(out.user).toEqual({ email: "a@example.com", password: REDACTED, passwordHash: REDACTED });
    expect(out.body).toEqual({ csrfToken: REDACTED, token: REDACTED, secret: REDACTED, nested: { deeper: { apiKey: REDACTED } } });
    expect(out.count).toBe(3);
  });

  it("scrubs recovery link URLs and token= values inside any string, leaving the rest readable", () => {
    const out = redact({ url: `https://shop.example/cart/recover?token=${encodeURIComponent(SEALED)}`, note: "see /x?a=1&token=abc&b=2" }) as any;
    expect(out.url).toBe(`https://shop.example/cart/recover?token=${REDACTED}`);
    expect(out.note).toBe(`see /x?a=1&token=${REDACTED}&b=2`);
    expect(scrubString(`csrfToken=abc&password=pw&callbackUrl=/cart`)).toBe(`csrfToken=${REDACTED}&password=${REDACTED}&callbackUrl=/cart`);
  });

  it("scrubs cookie headers, bearer tokens, argon2 hashes and sealed values pasted into messages", () => {
    const text = `cookie: __Host-cart_session=${SEALED}; authjs.session-token=eyJhbGci.x.y; auth Bearer abc.def hash ${HASH} raw ${SEALED}`;
    const out = scrubString(text);
    for (const secret of [SEALED, "eyJhbGci.x.y", "abc.def", HASH, "c2FsdHNhbHQ"]) expect(out).not.toContain(secret);
    expect(out).toContain("__Host-cart_session=");
    expect(out).toContain("authjs.session-token=");
  });

  it("copies without changing the input, and stops at a depth limit", () => {
    const input = { password: "p", a: { b: { c: { d: { e: { f: { g: { h: 1 } } } } } } } };
    const out = JSON.stringify(redact(input));
    expect(input.password).toBe("p");
    expect(out).toContain("[too deep]");
  });
});

describe("redactError", () => {
  it("keeps a postgres error's code, message and stack but never its statement, values or detail", () => {
    // The shape postgres.js gives a failed statement: enumerable fields copied from the server's reply,
    // plus the statement and its bound values.
    const err = Object.assign(new Error('duplicate key value violates unique constraint "users_email_unique"'), {
      name: "PostgresError",
      severity: "ERROR",
      code: "23505",
      detail: "Key (email)=(a@example.com) already exists.",
      constraint_name: "users_email_unique",
      query: "insert into cart_users (email, password_hash) values ($1, $2)",
      parameters: ["a@example.com", HASH],
    });
    const out = redactError(err);
    expect(out).toMatchObject({ type: "PostgresError", code: "23505", severity: "ERROR", constraint_name: "users_email_unique" });
    expect(out.stack).toContain("duplicate key value");
    const text = JSON.stringify(out);
    for (const leak of ["insert into", HASH, "a@example.com", "parameters", "detail"]) expect(text).not.toContain(leak);
    // Also when it arrives copied into a plain object field rather than as `err`.
    const copied = JSON.stringify(redact({ failure: { ...err } }));
    for (const leak of ["insert into", HASH, "a@example.com"]) expect(copied).not.toContain(leak);
  });

  it("scrubs messages and follows causes", () => {
    const err = new Error("sign-in failed", { cause: new Error(`bad token=${SEALED}`) });
    const out = redactError(err) as any;
    expect(out.message).toBe("sign-in failed");
    expect(out.cause.message).toBe(`bad token=${REDACTED}`);
    expect(JSON.stringify(out)).not.toContain(SEALED);
    expect(redactError("plain string password=pw")).toEqual({ message: `plain string password=${REDACTED}` });
  });
});

describe("request ids", () => {
  it("honours a well-formed incoming id only from a trusted proxy", () => {
    expect(chooseRequestId("edge-1.a_B", true)).toBe("edge-1.a_B");
    expect(chooseRequestId("edge-1.a_B", false)).not.toBe("edge-1.a_B");
    for (const bad of ["", "x".repeat(129), "has space", "a\nb", "semi;colon", "ü"]) {
      expect(isValidRequestId(bad)).toBe(false);
      expect(chooseRequestId(bad, true)).not.toBe(bad);
    }
    expect(isValidRequestId("x".repeat(128))).toBe(true);
    expect(isValidRequestId(chooseRequestId(null, true))).toBe(true);
  });
});

describe("scrubString, the two secret shapes the review found", () => {
  it("redacts credentials in URLs (scheme://user:pass@host), whatever the scheme, the host and the rest left readable", () => {
    const cases = [
      ["connect postgres://cart:s3cr%40t!@db.internal:5432/cart failed", "postgres://", "db.internal:5432/cart"],
      ["redis://:p4ss@cache.internal:6379", "redis://", "cache.internal:6379"],
      ["rediss://default:AbC$x!y@eu1.upstash.io:6379", "rediss://", "eu1.upstash.io:6379"],
      ["fetch https://user:pa@ss@api.example/x", "https://", "api.example/x"],
    ] as const;
    for (const [text, scheme, rest] of cases) {
      const out = scrubString(text);
      expect(out).toContain(`${scheme}${REDACTED}@${rest}`);
      for (const secret of ["s3cr", "p4ss", "AbC$x!y", "pa@ss", ":cart", "user:"]) expect(out).not.toContain(secret);
    }
    expect(scrubString("see https://shop.example/cart?x=1 and a@example.com")).toBe("see https://shop.example/cart?x=1 and a@example.com");
  });

  it("redacts a whole bearer token, including tokens with ! or % or other characters outside base64", () => {
    for (const token of ["abc!def", "abc%21def", "t0k3n!!%%$~^", "x.y!z%2F"]) {
      const out = scrubString(`Authorization: Bearer ${token} next`);
      expect(out).toBe(`Authorization: Bearer ${REDACTED} next`);
    }
    expect(scrubString(`{"authorization":"bearer q!w%e"}`)).toBe(`{"authorization":"bearer ${REDACTED}"}`);
  });
});
