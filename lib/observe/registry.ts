import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { CounterConfiguration, GaugeConfiguration, HistogramConfiguration } from "prom-client";

// One registry per process. Route handlers, pages and instrumentation are separate module
// graphs in Next.js, so the registry lives on globalThis and every metric is looked up
// before it is created (else: empty metrics in one graph, "already registered" in another).
const REGISTRY = Symbol.for("next-cart.metrics.registry");

const holder = globalThis as unknown as { [REGISTRY]?: Registry };

export function registry(): Registry {
  let reg = holder[REGISTRY];
  if (!reg) {
    reg = new Registry();
    // Process and Node.js metrics, event-loop delay (nodejs_eventloop_lag_*) among them.
    collectDefaultMetrics({ register: reg });
    holder[REGISTRY] = reg;
  }
  return reg;
}

export function counter<L extends string>(config: Omit<CounterConfiguration<L>, "registers">): Counter<L> {
  const reg = registry();
  return (reg.getSingleMetric(config.name) as Counter<L> | undefined) ?? new Counter<L>({ ...config, registers: [reg] });
}

export function gauge<L extends string>(config: Omit<GaugeConfiguration<L>, "registers">): Gauge<L> {
  const reg = registry();
  return (reg.getSingleMetric(config.name) as Gauge<L> | undefined) ?? new Gauge<L>({ ...config, registers: [reg] });
}

export function histogram<L extends string>(config: Omit<HistogramConfiguration<L>, "registers">): Histogram<L> {
  const reg = registry();
  return (reg.getSingleMetric(config.name) as Histogram<L> | undefined) ?? new Histogram<L>({ ...config, registers: [reg] });
}
