// What bench/run.mts asks of the load generator (bench/load.mts), and what it answers.
import { z } from "zod";

// `get`: GET `path` and nothing else (the direct set's floor app and the module's fixed-JSON route).
export const scenarios = ["floor", "get", "read", "add", "update", "browse", "mixed", "live", "spike", "failover"] as const;

export const loadSpecSchema = z.strictObject({
  // https:// through the gateway, or http:// straight to one instance.
  url: z.url({ protocol: /^https?$/ }),
  scenario: z.enum(scenarios),
  // The path the `get` scenario requests.
  path: z.string().startsWith("/").optional(),
  phases: z.array(z.strictObject({ name: z.string(), connections: z.number().int().min(1).max(5000), seconds: z.number().positive() })).min(1),
  products: z.array(z.string()).min(1),
  // One Cookie header a line: the live sessions the `live` scenario spreads over.
  sessionsFile: z.string().optional(),
  // Shed answers (503/429 with Retry-After) wait that long (at most 1 s) before the next request.
  retryShed: z.boolean().default(false),
  // Afterwards, read every user's cart and count acknowledged adds that are missing.
  verify: z.boolean().default(false),
  // A phase's new users arrive spread over this long (a sale's crowd); 0: all at once, for steady
  // comparisons where the first second must not run with fewer connections than the rest.
  arrivalSeconds: z.number().min(0).max(10).default(1),
}).refine((spec) => spec.scenario !== "get" || spec.path !== undefined, { message: "the get scenario needs a path", path: ["path"] });

export type LoadSpec = z.infer<typeof loadSpecSchema>;
// What bench/run.mts sends (the defaults filled in by the load generator).
export type LoadSpecInput = z.input<typeof loadSpecSchema>;

export interface PhaseResult {
  name: string;
  connections: number;
  seconds: number;
  requests: number;
  // Every answer per second, and the 2xx/3xx ones (goodput).
  rps: number;
  goodput: number;
  p50: number;
  p99: number;
  max: number;
  // Neither served nor shed: connection errors, 5xx other than a shed 503, refusals of other kinds.
  errors: number;
  shed: number;
  statusMix: Record<string, number>;
  // Requests that had to open a connection (TCP + TLS) first.
  opened: number;
  // The load generator's own event-loop delay in the phase (ms): when it is high, the
  // latencies above include time the generator, not the server, took.
  clientLagP99: number;
  // The phase's wall-clock window (ms since the epoch), to match the gateway's timing log.
  from: number;
  to: number;
  // The same answers as the gateway timed them (its log, by when they left; filled in by bench/run.mts).
  gateway?: { answers: number; p50: number; p99: number; servedP99: number; shedP99: number };
}

export interface LoadResult {
  scenario: (typeof scenarios)[number];
  phases: PhaseResult[];
  // When (ms since the epoch) each failed answer (no answer, or a 5xx that is not a shed) arrived.
  failures: number[];
  verify?: { users: number; acknowledged: number; lost: number };
}
