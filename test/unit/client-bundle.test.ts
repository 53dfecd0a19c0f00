import path from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

// next-cart/client runs in browsers: its module graph must hold nothing
// server-only. esbuild bundling it for the browser fails on any node:*
// import; the metafile shows every other file it pulled in.
const ALLOWED_LIB_FILES = ["lib/client/", "lib/contract/operations.ts", "lib/identity/schemas.ts", "lib/cart/api-schemas.ts", "lib/cart/schemas.ts", "lib/cart/types.ts", "lib/errors.ts"];

describe("the typed client's module graph", () => {
  it("bundles for the browser with only the client, the shared schemas and zod", async () => {
    const result = await build({
      entryPoints: [path.resolve("lib/client/index.ts")],
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    const ours = inputs.filter((file) => !file.startsWith("node_modules/"));
    const packages = new Set(inputs.filter((file) => file.startsWith("node_modules/")).map((file) => file.split("/").slice(1, file.split("/")[1]!.startsWith("@") ? 3 : 2).join("/")));
    expect(ours.length).toBeGreaterThan(3);
    expect(ours.filter((file) => !ALLOWED_LIB_FILES.some((allowed) => file.startsWith(allowed)))).toEqual([]);
    expect([...packages]).toEqual(["zod"]);
    expect(result.outputFiles[0]!.text).not.toMatch(/from\s*["']node:|require\(["']node:/);
  });
});
