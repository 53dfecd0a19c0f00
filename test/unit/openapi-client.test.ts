import { execFile } from "node:child_process";
import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import openapiTS, { astToString } from "openapi-typescript";
import { afterAll, describe, expect, it } from "vitest";
import { operationList, registerOperation, type OperationSpec } from "@/lib/contract/operations";
import { openApiDocument } from "@/lib/openapi/document";
import { errorDetailsSchemas } from "@/lib/openapi/error-bodies";

// A client generated from the document as a consumer would make one: openapi-typescript's
// types for openapi-fetch's createClient<paths>(). A TypeScript file calling every operation
// of the document with it, without a cast, must type-check (tsc --noEmit, the repo's
// TypeScript and node_modules): every call's path, parameters and body are accepted; every
// operation with a 2xx body has a typed `data` (never unknown, never missing), and the table's
// operations' `data` is exactly what the server's zod output schema says; every error body is
// typed, narrowed per code, with each code's `details` as the server sends them. The same file
// made from a document with one success body removed must not type-check.

const run = promisify(execFile);
const REPO = process.cwd();
const TSC = path.join(REPO, "node_modules", "typescript", "bin", "tsc");
const METHODS = ["get", "post", "put", "patch", "delete"] as const;

type Json = Record<string, any>;
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

// Follows a local $ref to what it names.
function resolve(doc: Json, node: any): any {
  return node?.$ref ? node.$ref.split("/").slice(1).reduce((at: any, part: string) => at[part], doc) : node;
}

// The error codes a response body carries: its `error`'s code const, or each union member's.
function codesOf(doc: Json, schema: any): string[] {
  const error = resolve(doc, resolve(doc, schema)?.properties?.error);
  const members = error?.oneOf ?? error?.anyOf ?? [error];
  return members.map((member: any) => resolve(doc, member)?.properties?.code?.const).filter(Boolean);
}

const table = new Map<string, OperationSpec>([...operationList, registerOperation].map((op) => [op.id, op]));
const lit = (value: unknown) => JSON.stringify(value);

// The TypeScript file that calls every operation of `doc` through openapi-fetch.
function clientCheckSource(doc: Json): string {
  const lines: string[] = [
    `import createClient from "openapi-fetch";`,
    `import type { z } from "zod";`,
    `import type { paths } from "./openapi";`,
    `import type { operations, registerOperation } from ${lit(path.join(REPO, "lib/contract/operations"))};`,
    `import type { errorDetailsSchemas } from ${lit(path.join(REPO, "lib/openapi/error-bodies"))};`,
    `import type { ErrorCode } from ${lit(path.join(REPO, "lib/errors"))};`,
    ``,
    `type Table = typeof operations & { ${registerOperation.id}: typeof registerOperation };`,
    `type Output<K extends keyof Table> = z.output<Table[K]["output"]>;`,
    `type Details<C extends keyof typeof errorDetailsSchemas> = z.output<NonNullable<(typeof errorDetailsSchemas)[C]>>;`,
    `// True only for a type that says something: not never (no such body), not unknown.`,
    `type Typed<T> = [T] extends [never] ? false : unknown extends T ? false : true;`,
    `function typed<T>(value: T, ok: Typed<NonNullable<T>>): void {`,
    `  void value;`,
    `  void ok;`,
    `}`,
    `function noDetails<T>(value: T, ok: "details" extends keyof T ? false : true): void {`,
    `  void value;`,
    `  void ok;`,
    `}`,
    ``,
    `const client = createClient<paths>({ baseUrl: "http://shop.example" });`,
    ``,
    `export async function callEveryOperation(): Promise<void> {`,
  ];
  for (const [p, item] of Object.entries<any>(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const init: string[] = [];
      const pathParams = (op.parameters ?? []).filter((param: any) => param.in === "path");
      if (pathParams.length > 0) init.push(`params: { path: { ${pathParams.map((param: any) => `${param.name}: "sku-tee-black-m"`).join(", ")} } }`);
      const media = op.requestBody ? Object.values<any>(op.requestBody.content)[0] : undefined;
      if (media) init.push(`body: ${lit(media.example)}`);
      const call = `client.${method.toUpperCase()}(${lit(p)}${init.length > 0 ? `, { ${init.join(", ")} }` : ""})`;
      lines.push(`  {`, `    // ${op.operationId}`, `    const { data, error } = await ${call};`);
      const statuses = Object.keys(op.responses);
      const successBody = statuses.some((s) => /^2/.test(s) && Object.keys(resolve(doc, op.responses[s]).content ?? {}).length > 0);
      if (successBody || table.has(op.operationId)) lines.push(`    typed(data, true);`);
      if (table.has(op.operationId)) lines.push(`    if (data !== undefined) {`, `      const output: Output<${lit(op.operationId)}> = data;`, `      void output;`, `    }`);
      const errorCodes = new Set<string>();
      for (const status of statuses.filter((s) => /^[45]/.test(s))) {
        for (const code of codesOf(doc, resolve(doc, op.responses[status]).content?.["application/json"]?.schema)) errorCodes.add(code);
      }
      // A status whose body is the output (health's 503) is in openapi-fetch's `error` too: told apart by `error`.
      const alsoOk = table.get(op.operationId)?.alsoOk ?? [];
      if (alsoOk.length > 0) {
        lines.push(`    if (error !== undefined && !("error" in error)) {`, `      const output: Output<${lit(op.operationId)}> = error;`, `      void output;`, `    }`);
      }
      if (errorCodes.size > 0) {
        lines.push(
          `    const failure = error !== undefined && "error" in error ? error : undefined;`,
          `    typed(failure, true);`,
          `    if (failure !== undefined) {`,
          `      const code: ErrorCode = failure.error.code;`,
          `      void code;`,
          `    }`,
        );
      }
      for (const code of errorCodes) {
        if (code === "VERSION_CONFLICT") {
          lines.push(`    if (failure?.error.code === "VERSION_CONFLICT" && "cart" in failure) {`, `      const cart: Output<"getCart"> = failure.cart;`, `      void cart;`, `    }`);
        } else if (code in errorDetailsSchemas) {
          lines.push(`    if (failure?.error.code === ${lit(code)}) {`, `      const details: Details<${lit(code)}> = failure.error.details;`, `      void details;`, `    }`);
        } else {
          // A code without details has none in its type either.
          lines.push(`    if (failure?.error.code === ${lit(code)}) noDetails(failure.error, true);`);
        }
      }
      lines.push(`  }`);
    }
  }
  lines.push(`}`, ``);
  return lines.join("\n");
}

const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    lib: ["dom", "esnext"],
    module: "esnext",
    moduleResolution: "bundler",
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: false,
    isolatedModules: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  },
  files: ["openapi.ts", "check.ts"],
};

// Generates the client's types from `doc`, writes the calling file beside them and runs tsc:
// its diagnostics, or "" when the file type-checks.
async function typeCheckClient(doc: Json): Promise<{ diagnostics: string; source: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), "openapi-client-"));
  dirs.push(dir);
  // The repo's packages, found from the temp directory as they would be from the repo.
  await symlink(path.join(REPO, "node_modules"), path.join(dir, "node_modules"), "dir");
  const types = astToString(await openapiTS(structuredClone(doc) as any, { silent: true }));
  const source = clientCheckSource(doc);
  await writeFile(path.join(dir, "openapi.ts"), types);
  await writeFile(path.join(dir, "check.ts"), source);
  await writeFile(path.join(dir, "tsconfig.json"), JSON.stringify(TSCONFIG, null, 2));
  const diagnostics = await run(process.execPath, [TSC, "-p", dir, "--pretty", "false"], { cwd: dir, maxBuffer: 16 * 1024 * 1024 }).then(
    () => "",
    (err: { stdout?: string; stderr?: string }) => `${err.stdout ?? ""}${err.stderr ?? ""}` || String(err),
  );
  return { diagnostics, source };
}

describe("an openapi-fetch client generated from the document (openapi-typescript)", () => {
  it("calls every operation without a cast, with typed answers and typed error details", { timeout: 180_000 }, async () => {
    const doc = openApiDocument({ basePath: "/api" }) as Json;
    const { diagnostics, source } = await typeCheckClient(doc);
    expect(diagnostics).toBe("");
    // Every operation is called, the table's all among them, and nothing is cast.
    const operationIds = Object.values<any>(doc.paths).flatMap((item) => METHODS.filter((m) => item[m]).map((m) => item[m].operationId as string));
    for (const id of operationIds) expect(source).toContain(`// ${id}\n`);
    for (const op of table.values()) expect(operationIds).toContain(op.id);
    expect(source).not.toMatch(/\bas\s+(?!const\b)[A-Za-z{[(]/);
  });

  it("does not type-check when an operation's success body is missing from the document", { timeout: 180_000 }, async () => {
    const doc = structuredClone(openApiDocument({ basePath: "/api" })) as Json;
    delete doc.paths["/api/cart"].get.responses["200"].content;
    const { diagnostics } = await typeCheckClient(doc);
    expect(diagnostics).toMatch(/check\.ts\(\d+,\d+\): error TS/);
  });
});
