import { randomUUID } from "node:crypto";
import { sql, type SQL } from "drizzle-orm";
import type { CartView, Product, CartSnapshot } from "../cart/types";
import { productsById } from "../cart/catalog";
import { buildCartView } from "../cart/view";
import { currentRuntime } from "../runtime/context";
import type { CartRuntime } from "../runtime/runtime";
import type { CartEventData, CartEventType } from "./types";

// The transactional outbox: an event is a row (one per endpoint) written by the change's own
// transaction, or its own statement on the fast paths, so it exists exactly when the change
// committed. lib/events/delivery.ts delivers it afterwards, off the request path. Code that
// changes carts (or checkouts) in a transaction calls recordEvent(tx, type, data) once in it.

// The in-process endpoint: createCart's `onEvent`.
export const PROCESS_ENDPOINT = "process";
export const webhookEndpoint = (url: string) => `webhook:${url}`;

// Where this instance's events go: every WEBHOOK_URLS entry, and onEvent when given. None:
// nothing is recorded (a store without receivers pays nothing).
export function eventEndpoints(runtime: CartRuntime = currentRuntime()): string[] {
  const endpoints = runtime.settings.WEBHOOK_URLS.map(webhookEndpoint);
  if (runtime.onEvent) endpoints.push(PROCESS_ENDPOINT);
  return endpoints;
}

export const eventsRecorded = (runtime: CartRuntime = currentRuntime()) => eventEndpoints(runtime).length > 0;

// Standard Webhooks ids are opaque strings; `msg_` + 32 hex digits.
export const newEventId = () => `msg_${randomUUID().replace(/-/g, "")}`;

// A cart event's data from the cart object at the version the change made (view.id is set:
// a changed cart is stored). `more`: the type's own fields (recoveryUrl, mergedFrom, checkout).
export function cartEventData(view: CartView, userId: string | null, more: Record<string, unknown> = {}): CartEventData {
  const note = view.note ?? null;
  return {
    cartId: view.id!,
    version: view.version,
    userId,
    currency: view.currency,
    lines: view.items,
    note,
    itemCount: view.itemCount,
    subtotal: view.subtotal,
    ...more,
  };
}

// The same from a stored cart and its products (read before any lock).
export function snapshotEventData(snapshot: CartSnapshot, products: ReadonlyMap<string, Product>, more: Record<string, unknown> = {}): CartEventData {
  return cartEventData(buildCartView(snapshot, products), snapshot.userId, more);
}

// The statement that records one event for every endpoint, when `when` holds (a fast path puts
// it in its own statement, conditioned on its write); null when there is no endpoint. The
// owner's email is looked up in the same statement (the email given at sign-in, else the
// module's own accounts).
export function eventInsert(type: CartEventType, data: CartEventData): ((when?: SQL) => SQL) | null {
  const runtime = currentRuntime();
  const endpoints = eventEndpoints(runtime);
  if (endpoints.length === 0) return null;
  const id = newEventId();
  const at = new Date(runtime.now()).toISOString();
  const body = JSON.stringify({ type, timestamp: at, data });
  const endpointList = sql.join(
    endpoints.map((e) => sql`${e}`),
    sql`, `,
  );
  return (when = sql`true`) => sql`
    insert into cart_event_outbox (id, endpoint, scope, type, cart_id, cart_version, payload, created_at, next_attempt_at)
    select ${id}, e.endpoint, ${runtime.scope}, ${type}, ${data.cartId}::uuid, ${data.version}::int,
      case when coalesce(o.email, u.email) is null or p.body #> '{data,email}' is not null then p.body
           else jsonb_set(p.body, '{data,email}', to_jsonb(coalesce(o.email, u.email))) end,
      ${at}::timestamptz, ${at}::timestamptz
    from unnest(array[${endpointList}]::text[]) as e(endpoint)
      cross join (select ${body}::jsonb as body) as p
      left join cart_users u on u.id = ${data.userId}::text
      left join cart_user_emails o on o.user_id = ${data.userId}::text
    where ${when}`;
}

type Executor = { execute(query: SQL): Promise<unknown> };

// Records one event in the caller's transaction (`tx`): it commits or rolls back with it.
export async function recordEvent(tx: Executor, type: CartEventType, data: CartEventData): Promise<void> {
  const insert = eventInsert(type, data);
  if (insert) await tx.execute(insert());
}

// For the fast paths (one statement, no transaction): the event of the cart as the statement
// will leave it, priced before the statement (products the answer's view needs anyway), and
// that view. Null when nothing is recorded.
export async function pricedEvent(type: CartEventType, after: CartSnapshot): Promise<{ view: CartView; insert: (when?: SQL) => SQL } | null> {
  if (!eventsRecorded()) return null;
  const view = buildCartView(after, await productsById(after.lines.map((l) => l.productId)));
  const insert = eventInsert(type, cartEventData(view, after.userId));
  return insert ? { view, insert } : null;
}

class MissingProducts extends Error {
  constructor(readonly productIds: string[]) {
    super("products needed for an event");
  }
}

// For a transaction that learns its cart's lines under the lock (the sign-in merge): the
// products of the carts involved are read before it; a product it meets and was not given
// rolls it back, is read, and the transaction runs again (as the locked path does for its view).
export class EventPricing {
  private readonly known = new Map<string, Product>();
  private readonly asked = new Set<string>();

  constructor(
    private readonly cartIds: string[],
    private readonly userId: string | null,
  ) {}

  async retrying<T>(transaction: () => Promise<T>): Promise<T> {
    if (!eventsRecorded()) return transaction();
    await this.read(await this.productIdsOfCarts());
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await transaction();
      } catch (err) {
        if (!(err instanceof MissingProducts) || attempt >= 3) throw err;
        await this.read(err.productIds);
      }
    }
  }

  async record(tx: Executor, type: CartEventType, after: CartSnapshot, more: Record<string, unknown> = {}): Promise<void> {
    if (!eventsRecorded()) return;
    const missing = after.lines.map((l) => l.productId).filter((id) => !this.asked.has(id));
    if (missing.length > 0) throw new MissingProducts(missing);
    await recordEvent(tx, type, snapshotEventData(after, this.known, more));
  }

  private async read(ids: readonly string[]): Promise<void> {
    for (const [id, product] of await productsById(ids)) this.known.set(id, product);
    for (const id of ids) this.asked.add(id);
  }

  // The products in the given carts and in the owner's active cart, before any lock.
  private async productIdsOfCarts(): Promise<string[]> {
    const runtime = currentRuntime();
    const owner = this.userId === null ? sql`false` : sql`(c.user_id = ${this.userId} and c.status = 'active')`;
    const ids = this.cartIds.length > 0 ? sql`c.id in (${sql.join(this.cartIds.map((id) => sql`${id}::uuid`), sql`, `)})` : sql`false`;
    const result = await (await runtime.db()).execute(sql`
      select distinct l.product_id from cart_lines l join cart_carts c on c.id = l.cart_id
      where c.scope = ${runtime.scope} and (${ids} or ${owner})`);
    const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { product_id: string }[];
    return rows.map((r) => r.product_id);
  }
}
