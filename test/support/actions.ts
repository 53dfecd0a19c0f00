import { readFileSync } from "node:fs";
import path from "node:path";
import type { Shopper } from "./shopper";

/**
 * Calls a cart server action over HTTP exactly as the storefront's cart
 * provider does with JavaScript (`js=1`): a `Next-Action` POST whose body is
 * React's encoding of one FormData argument, answered in the RSC stream, from
 * which the action's own return value is read.
 */
export interface ActionReply {
  status: number;
  result: { ok: true; cart: any } | { ok: false; cart: any; error: { code: string; message: string } };
}

export function actionId(exportedName: string): string {
  const manifest = JSON.parse(readFileSync(path.join(process.cwd(), ".next", "server", "server-reference-manifest.json"), "utf8"));
  const id = Object.entries(manifest.node as Record<string, { exportedName?: string }>).find(([, v]) => v.exportedName === exportedName)?.[0];
  if (!id) throw new Error(`no server action named ${exportedName} in the build`);
  return id;
}

export async function callAction(shopper: Shopper, exportedName: string, fields: Record<string, string>, page = "/cart"): Promise<ActionReply> {
  // React puts the FormData's entries first (prefixed by its part id) and the argument list last;
  // the server resolves the list as it streams in, so the order matters.
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...fields, js: "1" })) form.append(`_1_${name}`, value);
  form.append("0", JSON.stringify(["$K1"]));
  const reply = await shopper.request<string>("POST", page, {
    body: form,
    headers: { "next-action": actionId(exportedName), accept: "text/x-component", origin: shopper.baseUrl },
  });
  const rows = new Map<string, string>();
  for (const line of String(reply.body).split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) rows.set(line.slice(0, colon), line.slice(colon + 1));
  }
  const root = JSON.parse(rows.get("0") ?? "null") as { a?: string } | null;
  const ref = /^\$@([0-9a-f]+)$/.exec(root?.a ?? "")?.[1];
  const row = ref === undefined ? undefined : rows.get(ref);
  if (row === undefined) throw new Error(`no action result in the answer (${reply.status}): ${String(reply.body).slice(0, 300)}`);
  return { status: reply.status, result: JSON.parse(row) };
}
