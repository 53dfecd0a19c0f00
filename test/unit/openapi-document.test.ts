import { describe, expect, it } from "vitest";
import { z } from "zod";
import { cartSchema } from "@/lib/cart/api-schemas";
import { operationList, registerOperation, type OperationSpec } from "@/lib/contract/operations";
import { errorStatus, type ErrorCode } from "@/lib/errors";
import { errorCodesOf, openApiDocument, tableOperation } from "@/lib/openapi/document";
import { errorDetailsSchemas, errorObjectSchema } from "@/lib/openapi/error-bodies";
import { errorExample, exampleOf } from "@/lib/openapi/examples";

// The document as derived from the operation table, without a server: every entry is an
// operation with its operationId, security, parameters, success answer and error codes; every
// response has an example that the server's own schemas accept; every path documents its 405.
// test/integration/openapi.test.ts holds the same document against the running app.

const METHODS = ["get", "post", "put", "patch", "delete"] as const;
type Json = Record<string, any>;

const doc = openApiDocument({ basePath: "/api" }) as Json;
const table: OperationSpec[] = [...operationList, registerOperation];
// The table's paths are under the base path; register is under Auth.js's /api/auth, which is /api here too.
const fullPath = (op: OperationSpec) => `/api${op.path}`;

function resolve(node: any): any {
  return node?.$ref ? node.$ref.split("/").slice(1).reduce((at: any, part: string) => at[part], doc) : node;
}

function allOperations(): { path: string; method: string; op: Json }[] {
  return Object.entries<Json>(doc.paths).flatMap(([p, item]) => METHODS.filter((m) => item[m]).map((method) => ({ path: p, method, op: item[method] })));
}

function codesOf(schema: any): string[] {
  const error = resolve(resolve(schema)?.properties?.error);
  const members = error?.oneOf ?? [error];
  return members.map((member: any) => resolve(member)?.properties?.code?.const).filter(Boolean);
}

describe("the document derived from the operation table", () => {
  it("has every table entry, with its operationId, tag, summary and method, and unique operationIds everywhere", () => {
    for (const spec of table) {
      const op = doc.paths[fullPath(spec)]?.[spec.method.toLowerCase()];
      expect(op, spec.id).toBeDefined();
      expect(op).toMatchObject({ operationId: spec.id, tags: [spec.tag], summary: spec.summary });
    }
    const ids = allOperations().map(({ op }) => op.operationId);
    expect(ids.every((id) => typeof id === "string" && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("puts the table under the instance's base path (Auth.js's register stays under /api/auth)", () => {
    const other = openApiDocument({ basePath: "/shop-api" }) as Json;
    expect(other.paths["/shop-api/cart"]?.get?.operationId).toBe("getCart");
    expect(other.paths["/api/cart"]).toBeUndefined();
    expect(other.paths["/api/auth/register"]?.post?.operationId).toBe("registerAccount");
  });

  it("gives every operation its security: the session cookie (optional for a first visit), bearer, or none", () => {
    for (const spec of table) {
      const { security } = doc.paths[fullPath(spec)][spec.method.toLowerCase()];
      if (spec.access === "public") expect(security, spec.id).toEqual([]);
      else if (spec.access === "session") expect(security, spec.id).toContainEqual({ sessionCookie: [] });
      else expect(security, spec.id).toContainEqual({ bearer: [] });
    }
    expect(doc.paths["/api/cart"].get.security).toEqual([{}, { sessionCookie: [] }]);
    expect(doc.paths["/api/cron/cleanup"].post.security).toEqual([{ bearer: [] }]);
    for (const { op } of allOperations()) expect(Array.isArray(op.security), op.operationId).toBe(true);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["bearer", "sessionCookie"]);
  });

  it("reads the table's optional hints when an entry has them: its credentials, Cache-Control and example", () => {
    const metrics = tableOperation({ ...operationList.find((op) => op.id === "getMetrics")!, credentials: "optional" }, ["GET"]);
    expect(metrics.security).toEqual([{}, { bearer: [] }]);
    const stats = tableOperation({ ...operationList.find((op) => op.id === "getAdminStats")!, credentials: "required" }, ["GET"]);
    expect(stats.security).toEqual([{ sessionCookie: [] }]);
    const example = { products: [] };
    const products = tableOperation({ ...operationList.find((op) => op.id === "listProducts")!, cacheControl: "public, max-age=10", example }, ["GET"]);
    const ok = products.responses["200"] as unknown as { headers: z.ZodObject; content: Record<string, { example?: unknown }> };
    expect((ok.headers.shape["Cache-Control"] as z.ZodLiteral).value).toBe("public, max-age=10");
    expect(ok.content["application/json"]!.example).toBe(example);
  });

  it("documents the parameters each operation reads: path, query, Idempotency-Key and If-Match", () => {
    for (const spec of table) {
      const op = doc.paths[fullPath(spec)][spec.method.toLowerCase()];
      const names = (op.parameters ?? []).map((p: Json) => `${p.in} ${p.name}`);
      for (const name of Object.keys(spec.params?.shape ?? {})) expect(names, spec.id).toContain(`path ${name}`);
      for (const name of Object.keys(spec.query?.shape ?? {})) expect(names, spec.id).toContain(`query ${name}`);
      expect(names.includes("header Idempotency-Key"), spec.id).toBe(spec.access === "session" && spec.changesCart);
      expect(names.includes("header If-Match"), spec.id).toBe(Boolean(spec.ifMatch));
      expect(Boolean(op.requestBody), spec.id).toBe(Boolean(spec.body));
    }
  });

  it("answers each table operation with its output, status and headers", () => {
    for (const spec of table) {
      const op = doc.paths[fullPath(spec)][spec.method.toLowerCase()];
      for (const status of [spec.status, ...(spec.alsoOk ?? [])]) {
        const response = resolve(op.responses[String(status)]);
        expect(response, `${spec.id} ${status}`).toBeDefined();
        expect(Object.keys(response.content), spec.id).toEqual([spec.contentType ?? "application/json"]);
        expect(Object.keys(response.headers)).toContain("X-Request-Id");
        if (spec.access === "session") expect(Object.keys(response.headers)).toEqual(expect.arrayContaining(["Cache-Control", "Set-Cookie"]));
        if (spec.access === "session" && spec.changesCart) expect(Object.keys(response.headers)).toContain("Idempotent-Replayed");
        if (spec.output === cartSchema) expect(Object.keys(response.headers)).toContain("ETag");
      }
    }
  });

  it("lists, per status, exactly the codes each table operation can answer with, each code's details typed", () => {
    for (const spec of table) {
      const op = doc.paths[fullPath(spec)][spec.method.toLowerCase()];
      const documented = new Map<string, string[]>();
      for (const [status, response] of Object.entries<Json>(op.responses)) {
        if (!/^[45]/.test(status) || status === "405") continue;
        const body = resolve(response).content?.["application/json"]?.schema;
        if ((spec.alsoOk ?? []).includes(Number(status))) continue;
        documented.set(status, codesOf(body).sort());
      }
      const expected = new Map<string, string[]>();
      for (const code of errorCodesOf(spec)) {
        const status = String(errorStatus[code]);
        expected.set(status, [...(expected.get(status) ?? []), code].sort());
      }
      expect(Object.fromEntries(documented), spec.id).toEqual(Object.fromEntries(expected));
    }
    // The pipeline's codes by access, the operation's own, and If-Match's conflict.
    expect(errorCodesOf(registerOperation)).toEqual(expect.arrayContaining(["FORBIDDEN_ORIGIN", "MALFORMED_JSON", "EMAIL_TAKEN", "RATE_LIMITED", "SESSION_ROTATED"]));
    expect(errorCodesOf(operationList.find((op) => op.id === "addItem")!)).toContain("VERSION_CONFLICT");
    expect(errorCodesOf(operationList.find((op) => op.id === "getHealth")!)).not.toContain("OVERLOADED");
    for (const code of Object.keys(errorStatus) as ErrorCode[]) {
      const component = doc.components.schemas[(errorObjectSchema(code).meta() as { id: string }).id];
      if (!component) continue;
      expect(Object.keys(component.properties), code).toEqual(errorDetailsSchemas[code] ? ["code", "message", "details"] : ["code", "message"]);
      if (errorDetailsSchemas[code]) expect(component.required, code).toContain("details");
    }
    expect(resolve(doc.components.schemas.ValidationError.properties.details).type).toBe("array");
    expect(resolve(doc.components.schemas.RateLimitedError.properties.details).required).toEqual(["retryAfterSeconds"]);
    expect(resolve(doc.components.schemas.ProductNotFoundError.properties.details).required).toEqual(["productId"]);
  });

  it("has an example on every response and request body", () => {
    for (const { path: p, method, op } of allOperations()) {
      for (const [status, response] of Object.entries<Json>(op.responses)) {
        for (const [type, media] of Object.entries<Json>(resolve(response).content ?? {})) {
          expect(media.example !== undefined || Object.keys(media.examples ?? {}).length > 0, `${method} ${p} ${status} ${type}`).toBe(true);
        }
      }
      for (const [type, media] of Object.entries<Json>(op.requestBody?.content ?? {})) expect(media.example, `${method} ${p} ${type}`).toBeDefined();
    }
  });

  it("has examples the server's own schemas accept", () => {
    for (const spec of table) {
      expect(() => spec.output.parse(exampleOf(spec.output)), spec.id).not.toThrow();
      for (const status of spec.alsoOk ?? []) expect(() => spec.output.parse(exampleOf(spec.output, status)), `${spec.id} ${status}`).not.toThrow();
      if (spec.body) expect(() => spec.body!.parse(exampleOf(spec.body!)), spec.id).not.toThrow();
    }
    for (const code of Object.keys(errorStatus) as ErrorCode[]) {
      expect(() => z.object({ error: errorObjectSchema(code) }).strict().parse(errorExample(code)), code).not.toThrow();
    }
  });

  it("documents the contract's 405 (body and Allow) on every path that answers one", () => {
    for (const [p, item] of Object.entries<Json>(doc.paths)) {
      if (p === "/cart/recover") continue; // a page: it answers every method with the page or its redirect
      const served = METHODS.filter((m) => item[m]).map((m) => m.toUpperCase());
      for (const method of METHODS.filter((m) => item[m])) {
        const response = resolve(item[method].responses["405"]);
        expect(response, `${method} ${p}`).toBeDefined();
        expect(resolve(response.headers.Allow), p).toMatchObject({ required: true });
        expect(resolve(response.headers.Allow).schema.example.split(", ").sort(), p).toEqual(served.sort());
        expect(codesOf(response.content["application/json"].schema), p).toEqual(["METHOD_NOT_ALLOWED"]);
      }
    }
  });

  it("documents Set-Cookie and Location on Auth.js's routes and the pages, each with an operationId", () => {
    const auth = {
      "/api/auth/csrf": ["get", "getCsrfToken"],
      "/api/auth/callback/credentials": ["post", "signInWithCredentials"],
      "/api/auth/signout": ["post", "signOut"],
      "/docs/api": ["get", "getApiReference"],
      "/cart/recover": ["get", "openRecoveryLink"],
      "/cart/recover/confirm": ["post", "confirmRecoveryLink"],
    } as const;
    for (const [p, [method, id]] of Object.entries(auth)) expect(doc.paths[p]?.[method]?.operationId, p).toBe(id);
    expect(Object.keys(doc.paths["/api/auth/csrf"].get.responses["200"].headers)).toContain("Set-Cookie");
    for (const p of ["/api/auth/callback/credentials", "/api/auth/signout"]) {
      expect(Object.keys(doc.paths[p].post.responses["302"].headers)).toEqual(expect.arrayContaining(["Location", "Set-Cookie"]));
    }
    expect(Object.keys(doc.paths["/cart/recover"].get.responses["307"].headers)).toContain("Location");
    expect(Object.keys(doc.paths["/cart/recover/confirm"].post.responses["303"].headers)).toEqual(expect.arrayContaining(["Location", "Set-Cookie"]));
  });
});
