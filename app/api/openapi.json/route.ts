// GET /api/openapi.json — the OpenAPI 3.1 document of the HTTP contract, built from the routes' zod schemas
import { NextResponse } from "next/server";
import { openApiDocument } from "@/lib/openapi/document";

export const dynamic = "force-dynamic";

// The document never changes while a process runs: build it once.
let document: ReturnType<typeof openApiDocument> | undefined;

export function GET() {
  document ??= openApiDocument();
  return NextResponse.json(document, { headers: { "Cache-Control": "public, max-age=300" } });
}
