import { describe, expect, it } from "vitest";
import { ConfigError, demoAccountsEnabled, parseEnv } from "@/lib/config/env";
import { tooManyAttemptsMessage } from "@/lib/react/auth-messages";
import { clientAddress, UNKNOWN_ADDRESS } from "@/lib/http/rate-limit";

const h = (entries: Record<string, string>) => new Headers(entries);

describe("clientAddress", () => {
  it("knows no address without a trusted proxy, whatever the headers say", () => {
    expect(clientAddress(h({ "x-forwarded-for": "203.0.113.9" }), 0)).toBeNull();
    expect(clientAddress(h({ "x-real-ip": "203.0.113.9" }), 0)).toBeNull();
  });

  it("takes the entry the trusted proxy appended (the rightmost with TRUST_PROXY=1)", () => {
    expect(clientAddress(h({ "x-forwarded-for": "203.0.113.9" }), 1)).toBe("203.0.113.9");
    expect(clientAddress(h({ "x-forwarded-for": "1.2.3.4, 203.0.113.9" }), 1)).toBe("203.0.113.9");
    // Whatever the client wrote on the left changes nothing.
    for (const spoof of ["9.9.9.9", "garbage", "", "::1", "unknown, 8.8.8.8"]) {
      expect(clientAddress(h({ "x-forwarded-for": `${spoof}, 10.0.0.1` }), 1)).toBe("10.0.0.1");
    }
  });

  it("takes the second from the right with TRUST_PROXY=2, and the leftmost when there are fewer entries", () => {
    expect(clientAddress(h({ "x-forwarded-for": "spoofed, 198.51.100.4, 10.0.0.2" }), 2)).toBe("198.51.100.4");
    expect(clientAddress(h({ "x-forwarded-for": "198.51.100.4, 10.0.0.2" }), 2)).toBe("198.51.100.4");
    expect(clientAddress(h({ "x-forwarded-for": "198.51.100.4" }), 2)).toBe("198.51.100.4");
    expect(clientAddress(h({ "x-forwarded-for": "a, b, 192.0.2.1, 10.0.0.3, 10.0.0.2" }), 3)).toBe("192.0.2.1");
  });

  it("counts an entry that does not parse as one shared unknown address, never as no address", () => {
    expect(clientAddress(h({ "x-forwarded-for": "garbage" }), 1)).toBe(UNKNOWN_ADDRESS);
    expect(clientAddress(h({ "x-forwarded-for": "1.2.3.4, not-an-ip" }), 1)).toBe(UNKNOWN_ADDRESS);
    expect(clientAddress(h({ "x-forwarded-for": "1.2.3.4, " }), 1)).toBe(UNKNOWN_ADDRESS);
    expect(clientAddress(h({}), 1)).toBe(UNKNOWN_ADDRESS);
  });

  it("normalises the chosen entry (ports, brackets, IPv4-mapped IPv6, IPv6 by /64)", () => {
    expect(clientAddress(h({ "x-forwarded-for": "x, 203.0.113.9:4431" }), 1)).toBe("203.0.113.9");
    expect(clientAddress(h({ "x-forwarded-for": "x, [::ffff:203.0.113.9]:443" }), 1)).toBe("203.0.113.9");
    expect(clientAddress(h({ "x-forwarded-for": "x, 2001:db8:1:2:3:4:5:6" }), 1)).toBe("2001:db8:1:2::/64");
  });
});

describe("TRUST_PROXY and the new settings", () => {
  it("reads TRUST_PROXY as a number of hops (true/false as 1/0) and refuses anything else", () => {
    expect(parseEnv({}).TRUST_PROXY).toBe(0);
    expect(parseEnv({ TRUST_PROXY: "1" }).TRUST_PROXY).toBe(1);
    expect(parseEnv({ TRUST_PROXY: "2" }).TRUST_PROXY).toBe(2);
    expect(parseEnv({ TRUST_PROXY: "true" }).TRUST_PROXY).toBe(1);
    expect(parseEnv({ TRUST_PROXY: "false" }).TRUST_PROXY).toBe(0);
    expect(parseEnv({ TRUST_PROXY: "0" }).TRUST_PROXY).toBe(0);
    for (const bad of ["-1", "yes", "1.5", "11"]) {
      expect(() => parseEnv({ TRUST_PROXY: bad })).toThrow(ConfigError);
    }
  });

  it("has defaults for the guessing limits and the hash cap, and refuses a cap below the first lock", () => {
    const config = parseEnv({});
    expect(config).toMatchObject({ SIGNIN_LIMIT_PER_ACCOUNT: 5, SIGNIN_LIMIT_PER_ADDRESS: 20, AUTH_LOCK_SECONDS: 60, AUTH_LOCK_MAX_SECONDS: 900, PASSWORD_HASH_CONCURRENCY: 2 });
    expect(() => parseEnv({}, { AUTH_LOCK_SECONDS: 600, AUTH_LOCK_MAX_SECONDS: 60 })).toThrow(/AUTH_LOCK_MAX_SECONDS/);
    expect(() => parseEnv({}, { PASSWORD_HASH_CONCURRENCY: 0 })).toThrow(/PASSWORD_HASH_CONCURRENCY/);
    // Tuning is set in code: the environment does not reach it, and an unknown name is refused.
    expect(parseEnv({ PASSWORD_HASH_CONCURRENCY: "7" }).PASSWORD_HASH_CONCURRENCY).toBe(2);
    expect(() => parseEnv({}, { NO_SUCH_OPTION: 1 } as never)).toThrow(/tuning\.NO_SUCH_OPTION/);
  });

  it("seeds demo accounts only outside production, and refuses DEMO_ACCOUNTS=1 in production", () => {
    const secrets = { SESSION_SECRET: "s".repeat(32), AUTH_SECRET: "a".repeat(32) };
    expect(demoAccountsEnabled(parseEnv({}))).toBe(true);
    expect(demoAccountsEnabled(parseEnv({ DATABASE_URL: "postgres://localhost/x" }))).toBe(false);
    expect(demoAccountsEnabled(parseEnv({ DATABASE_URL: "postgres://localhost/x" }, { DEMO_ACCOUNTS: "1" }))).toBe(true);
    expect(demoAccountsEnabled(parseEnv({}, { DEMO_ACCOUNTS: "0" }))).toBe(false);
    expect(demoAccountsEnabled(parseEnv({ NODE_ENV: "production", ...secrets }))).toBe(false);
    expect(() => parseEnv({ NODE_ENV: "production", ...secrets }, { DEMO_ACCOUNTS: "1" })).toThrow(/DEMO_ACCOUNTS/);
  });
});

describe("the plain-words message", () => {
  it("says how many minutes, rounded up", () => {
    expect(tooManyAttemptsMessage("60")).toBe("Too many attempts. Try again in 1 minute.");
    expect(tooManyAttemptsMessage("61")).toBe("Too many attempts. Try again in 2 minutes.");
    expect(tooManyAttemptsMessage("900")).toBe("Too many attempts. Try again in 15 minutes.");
    expect(tooManyAttemptsMessage("nonsense")).toBe("Too many attempts. Try again in 1 minute.");
  });
});
