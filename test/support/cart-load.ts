import { Shopper, type Reply } from "./shopper";

/**
 * A steady load of adds and reads from a few shoppers, for fault tests. It
 * keeps, per shopper, what the server acknowledged (a 200 to an add) and
 * what is uncertain (an add that got anything else: it may or may not have
 * been committed), and checks every cart the server returns against that:
 * a returned cart must hold at least every add acknowledged before the
 * request was sent. A request that takes longer than the budget is
 * recorded as hung and abandoned (its shopper goes on).
 */
export interface LoadOptions {
  shoppers: number;
  products: readonly string[];
  /** No request may take longer than this. */
  budgetMs: number;
  /** Share of requests that read the cart instead of adding (0..1). */
  readRatio?: number;
  /** Concurrent request loops per shopper (sharing its cookie jar). */
  workersPerShopper?: number;
  /** How requests travel: an in-process app's fetch (test/support/in-process-app.ts), or HTTP. */
  fetch?: typeof fetch;
}

export interface LoadRecord {
  shopper: number;
  op: "add" | "get";
  status: number | "hung" | "network-error";
  ms: number;
  retryAfter: string | null;
  errorCode?: string;
}

export interface LoadRun {
  shoppers: Shopper[];
  records: LoadRecord[];
  /** Per shopper: productId → quantity acknowledged with a 200. */
  acked: Map<string, number>[];
  /** Per shopper: productId → quantity of adds that did not get a 200. */
  uncertain: Map<string, number>[];
  /** Carts returned with less than was acknowledged before the request was sent. */
  staleCarts: string[];
  /** Stops the load; resolves when every loop has ended (at most one budget later). */
  stop(): Promise<void>;
  /** Counts of each status so far, e.g. {"200": 812, "503": 3}. */
  summary(): Record<string, number>;
}

type Timed<T> = { value: T; ms: number } | { hung: true; ms: number } | { error: unknown; ms: number };

async function timed<T>(work: Promise<T>, budgetMs: number): Promise<Timed<T>> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<"hung">((resolve) => {
    timer = setTimeout(() => resolve("hung"), budgetMs);
  });
  try {
    const outcome = await Promise.race([work, hung]);
    const ms = performance.now() - started;
    return outcome === "hung" ? { hung: true, ms } : { value: outcome as T, ms };
  } catch (error) {
    return { error, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
    work.catch(() => {}); // an abandoned request may still fail later
  }
}

const bump = (map: Map<string, number>, key: string, by: number) => map.set(key, (map.get(key) ?? 0) + by);

/** Creates the shoppers (each with its session cookie) and starts the load. */
export async function startLoad(baseUrl: string, options: LoadOptions): Promise<LoadRun> {
  const readRatio = options.readRatio ?? 0.25;
  const workers = options.workersPerShopper ?? 1;
  const shoppers = Array.from({ length: options.shoppers }, () => new Shopper(baseUrl, options.fetch));
  for (const s of shoppers) {
    const first = await s.getCart();
    if (first.status !== 200) throw new Error(`could not start a session: ${first.status}`);
  }
  const acked = shoppers.map(() => new Map<string, number>());
  const uncertain = shoppers.map(() => new Map<string, number>());
  const records: LoadRecord[] = [];
  const staleCarts: string[] = [];
  let running = true;

  const checkCart = (i: number, op: string, reply: Reply<any>, floor: Map<string, number>) => {
    const items: { productId: string; quantity: number }[] = reply.body?.items ?? [];
    for (const [productId, quantity] of floor) {
      const got = items.find((item) => item.productId === productId)?.quantity ?? 0;
      if (got < quantity) staleCarts.push(`shopper ${i} ${op}: ${productId} has ${got}, at least ${quantity} were acknowledged (version ${reply.body?.version})`);
    }
  };

  const loop = async (i: number) => {
    const shopper = shoppers[i]!;
    let n = 0;
    while (running) {
      n += 1;
      const isRead = Math.random() < readRatio;
      const productId = options.products[(i * 7 + n * 3 + Math.floor(Math.random() * 5)) % options.products.length]!;
      const floor = new Map(acked[i]);
      const outcome = await timed(isRead ? shopper.getCart() : shopper.add(productId, 1), options.budgetMs);
      const record: LoadRecord = { shopper: i, op: isRead ? "get" : "add", status: "network-error", ms: outcome.ms, retryAfter: null };
      if ("hung" in outcome) record.status = "hung";
      else if ("value" in outcome) {
        const reply = outcome.value;
        record.status = reply.status;
        record.retryAfter = reply.headers.get("retry-after");
        if (reply.status !== 200) record.errorCode = (reply.body as any)?.error?.code;
        else checkCart(i, record.op, reply, floor);
      }
      records.push(record);
      if (!isRead) bump(record.status === 200 ? acked[i]! : uncertain[i]!, productId, 1);
    }
  };

  const loops = shoppers.flatMap((_, i) => Array.from({ length: workers }, () => loop(i)));
  return {
    shoppers,
    records,
    acked,
    uncertain,
    staleCarts,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
    summary() {
      const counts: Record<string, number> = {};
      for (const r of records) counts[String(r.status)] = (counts[String(r.status)] ?? 0) + 1;
      return counts;
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` holds or the deadline passes; returns whether it held. */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(intervalMs);
  }
  return check();
}

/**
 * After a run: each shopper's cart, through the API and straight from
 * Postgres, must hold every acknowledged add and nothing beyond the
 * uncertain ones; the API and Postgres must agree. Returns the problems.
 */
export async function verifyAcknowledged(run: LoadRun, databaseUrl: string): Promise<string[]> {
  const { default: postgres } = await import("postgres");
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const problems: string[] = [];
  try {
    for (const [i, shopper] of run.shoppers.entries()) {
      const reply = await shopper.getCart();
      if (reply.status !== 200) {
        problems.push(`shopper ${i}: GET /api/cart answered ${reply.status}`);
        continue;
      }
      const cart = reply.body as { id: string | null; items: { productId: string; quantity: number }[] };
      const rows = cart.id
        ? await sql<{ product_id: string; quantity: number }[]>`select product_id, quantity from cart_lines where cart_id = ${cart.id}`
        : [];
      const acked = run.acked[i]!;
      const uncertain = run.uncertain[i]!;
      const products = new Set([...acked.keys(), ...uncertain.keys(), ...cart.items.map((l) => l.productId), ...rows.map((r) => r.product_id)]);
      for (const productId of products) {
        const viaApi = cart.items.find((l) => l.productId === productId)?.quantity ?? 0;
        const inDb = rows.find((r) => r.product_id === productId)?.quantity ?? 0;
        const low = acked.get(productId) ?? 0;
        const high = low + (uncertain.get(productId) ?? 0);
        if (viaApi !== inDb) problems.push(`shopper ${i} ${productId}: the API says ${viaApi}, Postgres holds ${inDb}`);
        if (inDb < low || inDb > high) problems.push(`shopper ${i} ${productId}: Postgres holds ${inDb}, expected ${low}..${high}`);
      }
    }
  } finally {
    await sql.end();
  }
  return problems;
}

/** The slowest request and every request that failed the budget or the network. */
export function slowAndFailed(run: LoadRun): { slowestMs: number; hung: number; networkErrors: number } {
  return {
    slowestMs: Math.round(Math.max(0, ...run.records.map((r) => r.ms))),
    hung: run.records.filter((r) => r.status === "hung").length,
    networkErrors: run.records.filter((r) => r.status === "network-error").length,
  };
}
