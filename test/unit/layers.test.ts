import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// The module's layers point one way (docs/module.md): storage ← cart ← session ← identity ←
// http ← server ← app. The demo storefront (app/, instrumentation.ts) reaches the
// module only through its public entry points, like any host.
const ROOT = path.resolve(import.meta.dirname, "../..");

function files(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|tsx|mts)$/.test(e.name))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

// Every module a file imports, resolved to a repository path where it is one of ours.
function importsOf(file: string): string[] {
  const source = readFileSync(path.join(ROOT, file), "utf8");
  const specs = [...source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^"']*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|(?:^|\n)\s*import\s+["']([^"']+)["']/g)].map(
    (m) => m[1] ?? m[2] ?? m[3]!,
  );
  return specs.map((spec) => {
    if (spec.startsWith("@/")) return spec.slice(2);
    if (spec.startsWith(".")) return path.relative(ROOT, path.resolve(ROOT, path.dirname(file), spec));
    return spec;
  });
}

const PUBLIC = ["next-cart/server", "next-cart/react", "next-cart/client", "next-cart/react/styles.css"];

describe("layers", () => {
  it("app/ and instrumentation.ts use only the public entry points", () => {
    const offenders = [...files("app"), "instrumentation.ts"].flatMap((file) =>
      importsOf(file)
        .filter((target) => target.startsWith("lib/") || target.startsWith("db/") || (target.startsWith("next-cart") && !PUBLIC.includes(target)))
        .map((target) => `${file} -> ${target}`),
    );
    expect(offenders).toEqual([]);
  });

  it("lib/cart imports nothing from lib/session, lib/identity, lib/http or app/", () => {
    const offenders = files("lib/cart").flatMap((file) =>
      importsOf(file)
        .filter((target) => /^(lib\/(session|identity|http|react|client)|app)(\/|$)/.test(target))
        .map((target) => `${file} -> ${target}`),
    );
    expect(offenders).toEqual([]);
  });

  it("each layer imports only the layers below it", () => {
    const order = ["storage", "cart", "catalog", "checkout", "session", "identity", "jobs", "openapi", "http"];
    const shared = /^lib\/(config|errors|log|observe|health)(\/|\.|$)/;
    const offenders: string[] = [];
    for (const [i, layer] of order.entries()) {
      const above = order.slice(i + 1);
      for (const file of files(`lib/${layer}`)) {
        for (const target of importsOf(file)) {
          if (shared.test(target)) continue;
          const hit = above.find((upper) => target.startsWith(`lib/${upper}/`) || target === `lib/${upper}`);
          if (hit || target.startsWith("app/") || target === "lib/server") offenders.push(`${file} -> ${target}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it("the shared modules (config, errors, log, observe) import no layer", () => {
    const offenders = ["lib/config", "lib/log", "lib/observe"].flatMap(files).concat("lib/errors.ts").flatMap((file) =>
      importsOf(file)
        .filter((target) => /^lib\/(storage|cart|catalog|session|identity|jobs|openapi|http|react|client)(\/|$)/.test(target))
        .map((target) => `${file} -> ${target}`),
    );
    expect(offenders).toEqual([]);
  });

  it("the React and client entry points import no server module", () => {
    const offenders = [...files("lib/react"), ...files("lib/client").filter(Boolean)].flatMap((file) =>
      importsOf(file)
        .filter((target) => /^lib\/(storage|session|identity|http|jobs|catalog|observe|log|config)(\/|$)/.test(target) || /^lib\/cart\/(service|repository|cache|merge|idempotency|cart-queue|catalog)/.test(target))
        .map((target) => `${file} -> ${target}`),
    );
    expect(offenders).toEqual([]);
  });
});
