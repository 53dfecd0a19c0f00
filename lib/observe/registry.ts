import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { currentContext } from "../runtime/context";
import { sharedValue } from "../runtime/shared";
import type { CounterConfiguration, GaugeConfiguration, HistogramConfiguration } from "prom-client";

// One registry per instance (its scope): two markets in one process report apart. Route
// handlers, pages and instrumentation are separate module graphs in Next.js, each evaluating
// the host's createCart, so the registry is shared by scope (lib/runtime/shared.ts) and every
// metric is looked up before it is created (else: empty metrics in one graph, "already
// registered" in another).
export function registryFor(scope: string): Registry {
  return sharedValue(`metrics:${scope}`, () => {
    const reg = new Registry();
    // Process and Node.js metrics, event-loop delay (nodejs_eventloop_lag_*) among them.
    collectDefaultMetrics({ register: reg });
    return reg;
  });
}

// The serving instance's registry; outside any instance (a store used on its own, in a tool),
// one of the process's own that nothing serves.
export function registry(): Registry {
  const context = currentContext();
  return registryFor(context ? context.runtime.scope : "(no instance)");
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
