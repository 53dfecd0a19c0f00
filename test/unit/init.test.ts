// `next-cart init` (lib/cli) in throwaway app folders: what it writes, what it refuses, the
// .gitignore line, the layout it may and may not touch; and the README's section showing
// exactly the files it writes.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { main, patchLayout, withDataIgnored } from "@/lib/cli/init";
import { LAYOUT_IMPORT, layoutSnippet, wiringFiles } from "@/lib/cli/templates";

const ROOT = path.resolve(import.meta.dirname, "../..");

// create-next-app's layout (TypeScript, App Router), fonts aside.
const FRESH_LAYOUT = `import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: "Create Next App",
};

export default function RootLayout({
  children,
}: Readonly<{
  children: React.ReactNode;
}>) {
  return (
    <html lang="en">
      <body className="antialiased">
        {children}
      </body>
    </html>
  );
}
`;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function write(dir: string, rel: string, text: string) {
  mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  writeFileSync(path.join(dir, rel), text);
}

function freshApp({ src = false, alias = "./*" as string | null, gitignore = "node_modules/\n.next/\n" as string | null } = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), "next-cart-init-"));
  dirs.push(dir);
  const base = src ? "src/" : "";
  write(dir, "package.json", JSON.stringify({ name: "shop", dependencies: { next: "16.4.6", react: "19.3.1", "react-dom": "19.3.1", "next-cart": "0.1.0" } }, null, 2));
  const paths = alias ? `,\n    // create-next-app's alias\n    "paths": { "@/*": ["${alias}"] },` : "";
  write(dir, "tsconfig.json", `{\n  "compilerOptions": {\n    "strict": true${paths}\n  },\n}\n`);
  write(dir, `${base}app/layout.tsx`, FRESH_LAYOUT);
  write(dir, `${base}app/page.tsx`, "export default function Page() {\n  return <h1>Shop</h1>;\n}\n");
  if (gitignore !== null) write(dir, ".gitignore", gitignore);
  return dir;
}

// Every file under dir with its content: "writes nothing" is this, unchanged.
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true })) {
    const file = path.join(dir, String(entry));
    if (statSync(file).isFile()) out[String(entry)] = readFileSync(file, "utf8");
  }
  return out;
}

function run(dir: string, args = ["init"]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(args, dir, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const read = (dir: string, rel: string) => readFileSync(path.join(dir, rel), "utf8");

describe("next-cart init", () => {
  it("writes the five files, wraps a fresh layout's children and ignores .data/", () => {
    const dir = freshApp();
    const { code, out, err } = run(dir);
    expect(err).toBe("");
    expect(code).toBe(0);
    for (const file of wiringFiles({ alias: true })) expect(read(dir, file.path)).toBe(file.text);
    expect(read(dir, "app/api/[...cart]/route.ts")).toContain('import { cart } from "@/lib/cart";');

    const layout = read(dir, "app/layout.tsx");
    expect(layout).toContain(`import "./globals.css";\n${LAYOUT_IMPORT}\n`);
    expect(layout).toContain('<body className="antialiased">\n        <CartRoot>{children}</CartRoot>\n      </body>');
    expect(out).toContain("wrapped what <body> holds in app/layout.tsx");

    expect(read(dir, ".gitignore")).toBe("node_modules/\n.next/\n# next-cart: the embedded database and store (CART_DATA_DIR, default .data)\n.data/\n");
    expect(out).toContain("CART_SESSION_SECRET");
  });

  it("refuses to write over anything, and then writes nothing at all", () => {
    const dir = freshApp();
    expect(run(dir).code).toBe(0);
    const before = snapshot(dir);
    const again = run(dir);
    expect(again.code).toBe(1);
    expect(again.err).toContain("these exist:\n  lib/cart.ts\n  app/api/[...cart]/route.ts\n  app/actions/cart.ts\n  app/cart-provider.tsx\n  instrumentation.ts\n");
    expect(snapshot(dir)).toEqual(before);
  });

  it("one file in the way is enough: it lists it and what it would write, and touches no file", () => {
    const dir = freshApp();
    write(dir, "instrumentation.js", "export function register() {}\n");
    const before = snapshot(dir);
    const { code, err, out } = run(dir);
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toContain("these exist:\n  instrumentation.js\nso it wrote nothing. It would write:\n  lib/cart.ts\n");
    expect(snapshot(dir)).toEqual(before);
  });

  it("refuses beside another catch-all in app/api (Next.js allows one dynamic segment there)", () => {
    const dir = freshApp();
    write(dir, "app/api/[...slug]/route.ts", "export function GET() { return new Response(); }\n");
    const before = snapshot(dir);
    expect(run(dir)).toMatchObject({ code: 1, err: expect.stringContaining("app/api/[...slug]/") });
    expect(snapshot(dir)).toEqual(before);
  });

  it("creates .gitignore when there is none, and never adds .data/ twice", () => {
    const none = freshApp({ gitignore: null });
    expect(run(none).code).toBe(0);
    expect(read(none, ".gitignore")).toBe("# next-cart: the embedded database and store (CART_DATA_DIR, default .data)\n.data/\n");

    for (const line of [".data/", ".data", "/.data/", "/.data"]) {
      const dir = freshApp({ gitignore: `node_modules\n${line}\n` });
      expect(run(dir).code).toBe(0);
      expect(read(dir, ".gitignore")).toBe(`node_modules\n${line}\n`);
    }
    expect(withDataIgnored("node_modules")).toBe("node_modules\n# next-cart: the embedded database and store (CART_DATA_DIR, default .data)\n.data/\n");
    expect(withDataIgnored(withDataIgnored(""))).toBeNull();
  });

  it("writes under src/ with relative imports where tsconfig has no @/* for that folder", () => {
    const dir = freshApp({ src: true, alias: null });
    expect(run(dir).code).toBe(0);
    for (const file of wiringFiles({ alias: false })) expect(read(dir, `src/${file.path}`)).toBe(file.text);
    expect(existsSync(path.join(dir, "lib"))).toBe(false);
    // Every relative import of the written files lands on a written file.
    for (const file of wiringFiles({ alias: false })) {
      for (const [, spec] of file.text.matchAll(/from "(\.[^"]+)"/g)) {
        const target = path.resolve(dir, "src", path.dirname(file.path), spec!);
        expect([".ts", ".tsx"].some((ext) => existsSync(target + ext)), `${file.path} -> ${spec}`).toBe(true);
      }
    }
    expect(read(dir, "src/app/cart-provider.tsx")).toContain('from "./actions/cart";');
    expect(read(dir, "src/app/api/[...cart]/route.ts")).toContain('from "../../../lib/cart";');
    expect(read(dir, "src/app/layout.tsx")).toContain("<CartRoot>{children}</CartRoot>");
  });

  it("uses the alias under src/ when it points there (create-next-app's ./src/*)", () => {
    const dir = freshApp({ src: true, alias: "./src/*" });
    expect(run(dir).code).toBe(0);
    expect(read(dir, "src/app/actions/cart.ts")).toContain('import { cart } from "@/lib/cart";');
    // An alias to the root would not reach src/lib: relative imports then.
    const other = freshApp({ src: true, alias: "./*" });
    expect(run(other).code).toBe(0);
    expect(read(other, "src/app/actions/cart.ts")).toContain('import { cart } from "../../lib/cart";');
  });

  it("leaves a layout that holds more than {children} alone, and prints the two lines instead", () => {
    const dir = freshApp();
    const layout = FRESH_LAYOUT.replace("{children}", "<header>Shop</header>\n        {children}");
    write(dir, "app/layout.tsx", layout);
    const { code, out } = run(dir);
    expect(code).toBe(0);
    expect(read(dir, "app/layout.tsx")).toBe(layout);
    expect(out).toContain("Now put the provider in app/layout.tsx");
    expect(out).toContain(`  ${LAYOUT_IMPORT}`);
    expect(out).toContain("<CartRoot>{children}</CartRoot>");
  });

  it("patches create-next-app's older props.children layout, and never one already wired", () => {
    const older = FRESH_LAYOUT.replace("{\n  children,\n}: Readonly", "props: Readonly").replace("{children}", "{props.children}");
    expect(patchLayout(older)).toContain("<CartRoot>{props.children}</CartRoot>");
    const multiLineImport = `import {\n  Geist,\n  Geist_Mono,\n} from "next/font/google";\n${FRESH_LAYOUT}`;
    expect(patchLayout(multiLineImport)).toContain(`import "./globals.css";\n${LAYOUT_IMPORT}\n`);
    const wired = patchLayout(FRESH_LAYOUT)!;
    expect(patchLayout(wired)).toBeNull();
    expect(patchLayout(FRESH_LAYOUT.replace("{children}", "<CartProvider>{children}</CartProvider>"))).toBeNull();
    expect(patchLayout(`"use client";\n${FRESH_LAYOUT}`)).toBeNull();
  });

  it("refuses a folder that is not a Next.js App Router app in TypeScript, and says why", () => {
    const empty = mkdtempSync(path.join(tmpdir(), "next-cart-init-"));
    dirs.push(empty);
    expect(run(empty)).toMatchObject({ code: 1, err: expect.stringContaining("no package.json") });
    write(empty, "package.json", JSON.stringify({ dependencies: { react: "19.3.1" } }));
    expect(run(empty)).toMatchObject({ code: 1, err: expect.stringContaining("does not list next") });
    write(empty, "package.json", JSON.stringify({ dependencies: { next: "16.4.6" } }));
    expect(run(empty)).toMatchObject({ code: 1, err: expect.stringContaining("no app/ or src/app/") });
    mkdirSync(path.join(empty, "app"));
    expect(run(empty)).toMatchObject({ code: 1, err: expect.stringContaining("no tsconfig.json") });
    expect(readdirSync(empty).sort()).toEqual(["app", "package.json"]);
  });

  it("takes a folder argument, and answers usage errors with 2", () => {
    const dir = freshApp();
    expect(run(path.dirname(dir), ["init", path.basename(dir)]).code).toBe(0);
    expect(existsSync(path.join(dir, "lib/cart.ts"))).toBe(true);
    expect(run(dir, []).code).toBe(2);
    expect(run(dir, ["init", "--force"]).code).toBe(2);
    expect(run(dir, ["--help"])).toMatchObject({ code: 0, out: expect.stringContaining("usage: next-cart init") });
  });
});

describe('README: "Add the cart to your Next.js app"', () => {
  it("shows exactly the files init writes, and the layout's two lines", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    const start = readme.indexOf("\n## Add the cart to your Next.js app\n");
    expect(start).toBeGreaterThan(-1);
    const end = readme.indexOf("\n## ", start + 1);
    const section = readme.slice(start, end === -1 ? undefined : end);
    // Each file: its path in bold on the line that introduces it, then its code block.
    const shown = Object.fromEntries([...section.matchAll(/^\*\*([^*\s]+)\*\*[\s\S]*?\n\n```tsx?\n([\s\S]*?)```$/gm)].map((m) => [m[1], m[2]]));
    const expected = Object.fromEntries(wiringFiles({ alias: true }).map((f) => [f.path, f.text]));
    expected["app/layout.tsx"] = layoutSnippet();
    expect(shown).toEqual(expected);
  });
});
