// `next-cart init`: wires the cart into an existing Next.js app (App Router, TypeScript). It only
// creates files; the one existing file it may edit besides .gitignore is a root layout whose
// <body> holds nothing but {children} (as create-next-app leaves it), where wrapping that in
// <CartRoot> cannot change anything else. Any other layout gets the two lines printed instead:
// rewriting arbitrary JSX with a regular expression is how a tool breaks a build.
// Node's own modules only: it runs before anything else of the app is installed or built.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { LAYOUT_IMPORT, ROOT_COMPONENT, layoutSnippet, wiringFiles, type WiringFile } from "./templates";

export interface InitIo {
  out(line: string): void;
  err(line: string): void;
}

export interface NextApp {
  root: string;
  // "" or "src/": where app/ is, and so lib/ and instrumentation.ts.
  base: string;
  alias: boolean;
  // The root layout, relative to root, if there is one.
  layout: string | null;
  hasNextCart: boolean;
}

export class InitRefused extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join("\n"));
    this.name = "InitRefused";
  }
}

function readJson(file: string): unknown {
  const text = readFileSync(file, "utf8");
  try {
    return JSON.parse(text);
  } catch {
    // tsconfig.json may carry comments and trailing commas (TypeScript reads JSONC).
    const stripped = text
      .replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_, str: string | undefined) => str ?? "")
      .replace(/,(\s*[}\]])/g, "$1");
    return JSON.parse(stripped);
  }
}

function aliasPointsAt(root: string, sourceRoot: string): boolean {
  const tsconfig = path.join(root, "tsconfig.json");
  let options: { baseUrl?: string; paths?: Record<string, string[]> } | undefined;
  try {
    options = (readJson(tsconfig) as { compilerOptions?: typeof options }).compilerOptions;
  } catch {
    return false;
  }
  const targets = options?.paths?.["@/*"];
  if (!Array.isArray(targets)) return false;
  const base = path.resolve(root, options?.baseUrl ?? ".");
  return targets.some((t) => typeof t === "string" && t.endsWith("/*") && path.resolve(base, t.slice(0, -2)) === path.resolve(sourceRoot));
}

// The Next.js app at `root`, or InitRefused saying what is missing.
export function detectApp(root: string): NextApp {
  const pkgFile = path.join(root, "package.json");
  if (!existsSync(pkgFile)) throw new InitRefused([`no package.json in ${root}: run next-cart init in your Next.js app's folder`]);
  const pkg = readJson(pkgFile) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  const deps = { ...pkg.devDependencies, ...pkg.dependencies };
  if (!deps.next) throw new InitRefused([`${pkgFile} does not list next: next-cart init wires the cart into a Next.js app`]);
  // Next.js takes app/ at the root over src/app/.
  const base = existsSync(path.join(root, "app")) ? "" : existsSync(path.join(root, "src/app")) ? "src/" : null;
  if (base === null) throw new InitRefused([`no app/ or src/app/ folder in ${root}: the cart needs the App Router`]);
  if (!existsSync(path.join(root, "tsconfig.json"))) {
    throw new InitRefused([`no tsconfig.json in ${root}: next-cart init writes TypeScript (add a tsconfig.json, or write the README's files as .js by hand)`]);
  }
  const layout = ["tsx", "jsx", "ts", "js"].map((ext) => `${base}app/layout.${ext}`).find((file) => existsSync(path.join(root, file))) ?? null;
  return { root, base, alias: aliasPointsAt(root, path.join(root, base)), layout, hasNextCart: Boolean(deps["next-cart"]) };
}

// Files already there that stand where init would write, or that Next.js would take instead.
function conflicts(app: NextApp, files: WiringFile[]): string[] {
  const found: string[] = [];
  const exists = (rel: string) => existsSync(path.join(app.root, rel));
  for (const file of files) {
    const rel = `${app.base}${file.path}`;
    const stem = rel.replace(/\.tsx?$/, "");
    for (const candidate of [".ts", ".tsx", ".js", ".jsx", ".mjs"].map((ext) => stem + ext)) {
      if (exists(candidate)) found.push(candidate);
    }
  }
  // Next.js reads instrumentation from the root, or from src/ when the app is there.
  if (app.base === "src/") {
    for (const ext of [".ts", ".js"]) if (exists(`instrumentation${ext}`)) found.push(`instrumentation${ext}`);
  }
  // Next.js allows one dynamic segment name per folder: another catch-all in app/api fails its build.
  const apiDir = path.join(app.root, `${app.base}app/api`);
  if (existsSync(apiDir)) {
    for (const entry of readdirSync(apiDir)) {
      if (/^\[/.test(entry) && entry !== "[...cart]") found.push(`${app.base}app/api/${entry}/ (another dynamic segment where the cart's catch-all goes)`);
    }
  }
  return [...new Set(found)];
}

// The layout with the provider in, or null when it is not create-next-app's simple shape.
export function patchLayout(source: string): string | null {
  // Already wired (by init or by hand), or a client component (which cannot render a server one).
  if (new RegExp(`<(${ROOT_COMPONENT}|CartProvider)\\b|["'][^"']*cart-provider["']`).test(source) || /^\s*["']use client["']/.test(source)) return null;
  if ((source.match(/<body\b/g) ?? []).length !== 1) return null;
  const body = /(<body\b[^>]*>)(\s*)\{((?:props\.)?children)\}(\s*)<\/body>/;
  if (!body.test(source)) return null;
  const wrapped = source.replace(body, (_, open: string, before: string, expr: string, after: string) => `${open}${before}<${ROOT_COMPONENT}>{${expr}}</${ROOT_COMPONENT}>${after}</body>`);
  // After the last import at the top (a multi-line one included), else first.
  const imports = [...wrapped.matchAll(/^import\s(?:[^;'"]|"[^"]*"|'[^']*')*?(?:from\s*)?["'][^"']+["'];?[ \t]*$/gm)];
  const last = imports.at(-1);
  if (!last) return `${LAYOUT_IMPORT}\n${wrapped}`;
  const at = last.index + last[0].length;
  return `${wrapped.slice(0, at)}\n${LAYOUT_IMPORT}${wrapped.slice(at)}`;
}

// .gitignore with .data/ (the embedded database and store, CART_DATA_DIR's default), or null
// when a line already covers it.
export function withDataIgnored(existing: string | null): string | null {
  const lines = (existing ?? "").split(/\r?\n/).map((l) => l.trim());
  if (lines.some((l) => l.replace(/^\//, "").replace(/\/$/, "") === ".data")) return null;
  const head = existing === null || existing === "" ? "" : existing.endsWith("\n") ? existing : `${existing}\n`;
  return `${head}# next-cart: the embedded database and store (CART_DATA_DIR, default .data)\n.data/\n`;
}

export interface InitResult {
  written: string[];
  layoutPatched: string | null;
  gitignore: "created" | "updated" | "unchanged";
}

export function init(root: string, io: InitIo): InitResult {
  const app = detectApp(root);
  const files = wiringFiles({ alias: app.alias });
  const clash = conflicts(app, files);
  if (clash.length > 0) {
    throw new InitRefused([
      "next-cart init writes no file over another, and these exist:",
      ...clash.map((c) => `  ${c}`),
      "so it wrote nothing. It would write:",
      ...files.map((f) => `  ${app.base}${f.path}`),
      'Move those away and run it again, or wire the rest by hand (README: "Add the cart to your Next.js app").',
    ]);
  }

  const layoutSource = app.layout ? readFileSync(path.join(root, app.layout), "utf8") : null;
  const patchedLayout = layoutSource === null ? null : patchLayout(layoutSource);
  const gitignoreFile = path.join(root, ".gitignore");
  const gitignoreBefore = existsSync(gitignoreFile) ? readFileSync(gitignoreFile, "utf8") : null;
  const gitignoreAfter = withDataIgnored(gitignoreBefore);

  const written: string[] = [];
  for (const file of files) {
    const target = path.join(root, app.base, file.path);
    mkdirSync(path.dirname(target), { recursive: true });
    // "wx": never over a file, even one that appeared since the check.
    writeFileSync(target, file.text, { flag: "wx" });
    written.push(`${app.base}${file.path}`);
  }
  if (patchedLayout !== null && app.layout) writeFileSync(path.join(root, app.layout), patchedLayout);
  if (gitignoreAfter !== null) writeFileSync(gitignoreFile, gitignoreAfter);

  const width = Math.max(...written.map((w) => w.length));
  io.out("next-cart init wrote:");
  files.forEach((f, i) => io.out(`  ${written[i]!.padEnd(width)}  ${f.purpose}`));
  if (patchedLayout !== null) {
    io.out(`and wrapped what <body> holds in ${app.layout} in <${ROOT_COMPONENT}> (one import added).`);
  } else {
    io.out("");
    io.out(`Now put the provider in ${app.layout ?? `your root layout (${app.base}app/layout.tsx)`}: import it, and wrap what <body> holds in it:`);
    io.out("");
    for (const line of layoutSnippet().trimEnd().split("\n")) io.out(`  ${line}`);
  }
  if (gitignoreAfter !== null) io.out(`${gitignoreBefore === null ? "Created" : "Added .data/ to"} .gitignore${gitignoreBefore === null ? " with .data/" : ""} (the embedded database and store).`);
  io.out("");
  io.out("Next:");
  let step = 1;
  if (!app.hasNextCart) io.out(`  ${step++}. Install the module if you have not: npm install next-cart`);
  io.out(`  ${step++}. Put the components where you want them, from "next-cart/react": <AddToCartButton productId name unitPrice slug image returnTo />,`);
  io.out(`     <CartBadge /> (links to /cart), <CartView /> on ${app.base}app/cart/page.tsx.`);
  io.out(`  ${step++}. Replace the two sample products in ${app.base}lib/cart.ts with your catalog adapter.`);
  io.out(`  ${step++}. Production (next start) needs CART_SESSION_SECRET, 32+ characters (openssl rand -base64 32):`);
  io.out("     without it the server stops at start and says so. Development makes its own under .data/.");
  io.out(`  ${step++}. npm run dev, then open /api/health and /api/cart.`);
  return { written, layoutPatched: patchedLayout !== null ? app.layout : null, gitignore: gitignoreAfter === null ? "unchanged" : gitignoreBefore === null ? "created" : "updated" };
}

const USAGE = [
  "usage: next-cart init [folder]",
  "",
  "  Wires the cart into the Next.js app in folder (default: the current one): lib/cart.ts,",
  "  app/api/[...cart]/route.ts, app/actions/cart.ts, app/cart-provider.tsx and instrumentation.ts",
  "  (under src/ when the app is there), .data/ in .gitignore. It writes no file over another.",
];

// The command line: the exit code (0 done, 1 refused, 2 usage).
export function main(argv: readonly string[], cwd: string, io: InitIo): number {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") {
    USAGE.forEach((l) => io.out(l));
    return 0;
  }
  if (command !== "init" || rest.length > 1 || rest.some((a) => a.startsWith("-"))) {
    USAGE.forEach((l) => io.err(l));
    return 2;
  }
  try {
    init(path.resolve(cwd, rest[0] ?? "."), io);
    return 0;
  } catch (err) {
    if (!(err instanceof InitRefused)) throw err;
    for (const line of err.lines) io.err(line);
    return 1;
  }
}
