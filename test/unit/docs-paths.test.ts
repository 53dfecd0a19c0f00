import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// README.md and docs/*.md name files of this repository (in code spans and links): each must
// exist, so a reader is never sent to a file that was moved or deleted.
const ROOT = path.resolve(import.meta.dirname, "../..");
const DOCS = ["README.md", ...readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
const TOP = ["app", "lib", "db", "docs", "test", "e2e", "bench", "scripts", "deploy", "examples", ".ci", "public"];
const ROOT_FILES = ["package.json", "next.config.ts", "tsconfig.json", "drizzle.config.ts", "instrumentation.ts", "proxy.ts", "middleware.ts", "playwright.config.ts", "vitest.config.mts", "eslint.config.mjs"];

// What a path looks like here: a top-level folder of the repository, then more, or a root file.
function candidates(text: string): string[] {
  const spans = [...text.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]!);
  const links = [...text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
  return [...spans, ...links]
    .map((p) => p.replace(/^\.\//, "").replace(/[),.;:]+$/, "").replace(/#.*$/, ""))
    .filter((p) => TOP.some((dir) => p.startsWith(`${dir}/`)) || ROOT_FILES.includes(p))
    // Placeholders and patterns, not paths: <date>, {productId}, *, [...cart] is a real folder name.
    .filter((p) => !/[<>{}*]|\$\{/.test(p));
}

function exists(docFile: string, target: string): boolean {
  const fromRoot = path.join(ROOT, target);
  const fromDoc = path.join(ROOT, path.dirname(docFile), target);
  return existsSync(fromRoot) || existsSync(fromDoc);
}

describe("docs name only files that exist", () => {
  for (const doc of DOCS) {
    it(doc, () => {
      const missing = [...new Set(candidates(readFileSync(path.join(ROOT, doc), "utf8")))].filter((p) => !exists(doc, p));
      expect(missing).toEqual([]);
    });
  }
});
