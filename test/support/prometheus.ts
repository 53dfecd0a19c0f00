import { TEST_METRICS_TOKEN } from "./app";
/**
 * A strict parser of the Prometheus text exposition format (0.0.4), for
 * tests: it throws on anything a Prometheus server would reject or that
 * breaks the format's rules (a sample before its TYPE, a family split in
 * two, duplicate series, bad names, escapes or values, histogram buckets
 * that are not cumulative or disagree with _count). (The npm package
 * parse-prometheus-text-format drops the labels, _sum and _count of
 * labelled histograms, so it cannot check these.)
 */
export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: MetricType;
  help?: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<MetricType>(["counter", "gauge", "histogram", "summary", "untyped"]);

/** As Prometheus reads a value (Go's ParseFloat): NaN and Inf in any case (prom-client writes "Nan"). */
function parseValue(text: string, line: number): number {
  if (/^[-+]?nan$/i.test(text)) return NaN;
  if (/^\+?inf(inity)?$/i.test(text)) return Infinity;
  if (/^-inf(inity)?$/i.test(text)) return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`line ${line}: bad value ${JSON.stringify(text)}`);
  return Number(text);
}

/** Parses `{a="x",b="y"}` starting at `at`; returns the labels and the index after `}`. */
function parseLabels(text: string, at: number, line: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = at + 1;
  for (;;) {
    if (text[i] === "}") return { labels, end: i + 1 };
    const eq = text.indexOf("=", i);
    if (eq < 0) throw new Error(`line ${line}: unterminated labels`);
    const name = text.slice(i, eq).trim();
    if (!LABEL_NAME.test(name)) throw new Error(`line ${line}: bad label name ${JSON.stringify(name)}`);
    if (name in labels) throw new Error(`line ${line}: label ${name} twice`);
    if (text[eq + 1] !== '"') throw new Error(`line ${line}: label value must be quoted`);
    let value = "";
    let j = eq + 2;
    for (;;) {
      const c = text[j];
      if (c === undefined) throw new Error(`line ${line}: unterminated label value`);
      if (c === '"') break;
      if (c === "\\") {
        const next = text[j + 1];
        if (next === "\\") value += "\\";
        else if (next === '"') value += '"';
        else if (next === "n") value += "\n";
        else throw new Error(`line ${line}: bad escape \\${next}`);
        j += 2;
      } else {
        value += c;
        j += 1;
      }
    }
    labels[name] = value;
    i = j + 1;
    if (text[i] === ",") i += 1;
    else if (text[i] !== "}") throw new Error(`line ${line}: expected , or } after a label`);
  }
}

/** The family a sample belongs to: histogram and summary samples carry a suffix. */
function familyOf(sample: string, families: Map<string, Family>): Family | undefined {
  const direct = families.get(sample);
  if (direct) return direct;
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    if (!sample.endsWith(suffix)) continue;
    const family = families.get(sample.slice(0, -suffix.length));
    if (family && (family.type === "histogram" || (family.type === "summary" && suffix !== "_bucket"))) return family;
  }
  return undefined;
}

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const closed = new Set<string>();
  let current: Family | undefined;
  const seen = new Set<string>();
  if (text.length > 0 && !text.endsWith("\n")) throw new Error("the exposition must end with a newline");
  text.split("\n").forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "") return;
    if (raw.startsWith("#")) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(raw);
      if (!m) return; // a plain comment
      const [, kind, name, rest = ""] = m;
      if (!NAME.test(name!)) throw new Error(`line ${line}: bad metric name ${name}`);
      let family = families.get(name!);
      if (family && closed.has(name!)) throw new Error(`line ${line}: ${name} described again after its samples`);
      if (!family) {
        if (current) closed.add(current.name);
        family = { name: name!, type: "untyped", samples: [] };
        families.set(name!, family);
        current = family;
      }
      if (kind === "TYPE") {
        if (!TYPES.has(rest.trim() as MetricType)) throw new Error(`line ${line}: bad type ${rest}`);
        if (family.samples.length > 0) throw new Error(`line ${line}: TYPE of ${name} after its samples`);
        family.type = rest.trim() as MetricType;
      } else {
        family.help = rest;
      }
      return;
    }
    const nameEnd = raw.search(/[{\s]/);
    const name = nameEnd < 0 ? raw : raw.slice(0, nameEnd);
    if (!NAME.test(name)) throw new Error(`line ${line}: bad sample name ${JSON.stringify(name)}`);
    let labels: Record<string, string> = {};
    let rest = raw.slice(name.length);
    if (rest.startsWith("{")) {
      const parsed = parseLabels(raw, name.length, line);
      labels = parsed.labels;
      rest = raw.slice(parsed.end);
    }
    const parts = rest.trim().split(/\s+/);
    if (parts.length < 1 || parts.length > 2 || parts[0] === "") throw new Error(`line ${line}: expected a value (and a timestamp)`);
    if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new Error(`line ${line}: bad timestamp`);
    const value = parseValue(parts[0]!, line);
    let family = familyOf(name, families);
    if (!family) {
      // An untyped sample starts its own family.
      if (current) closed.add(current.name);
      family = { name, type: "untyped", samples: [] };
      families.set(name, family);
    }
    if (family !== current && closed.has(family.name)) throw new Error(`line ${line}: samples of ${family.name} are not contiguous`);
    current = family;
    const series = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(series)) throw new Error(`line ${line}: duplicate series ${series}`);
    seen.add(series);
    if (family.type === "counter" && !(value >= 0)) throw new Error(`line ${line}: a counter must be ≥ 0`);
    if (name.endsWith("_bucket") && family.type === "histogram" && labels.le === undefined) throw new Error(`line ${line}: a bucket needs le`);
    family.samples.push({ name, labels, value });
  });
  for (const family of families.values()) if (family.type === "histogram") checkHistogram(family);
  return families;
}

const seriesKey = (labels: Record<string, string>) =>
  JSON.stringify(
    Object.entries(labels)
      .filter(([k]) => k !== "le")
      .sort(),
  );

function checkHistogram(family: Family): void {
  const groups = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>();
  for (const s of family.samples) {
    const group = groups.get(seriesKey(s.labels)) ?? { buckets: [] };
    groups.set(seriesKey(s.labels), group);
    if (s.name.endsWith("_bucket")) group.buckets.push([parseValue(s.labels.le!, 0), s.value]);
    else if (s.name.endsWith("_count")) group.count = s.value;
    else if (s.name.endsWith("_sum")) group.sum = s.value;
  }
  for (const [key, g] of groups) {
    const sorted = [...g.buckets].sort((a, b) => a[0] - b[0]);
    if (sorted.at(-1)?.[0] !== Infinity) throw new Error(`${family.name}${key}: no +Inf bucket`);
    sorted.forEach(([, v], i) => {
      if (i > 0 && v < sorted[i - 1]![1]) throw new Error(`${family.name}${key}: buckets are not cumulative`);
    });
    if (g.count === undefined || g.sum === undefined) throw new Error(`${family.name}${key}: missing _count or _sum`);
    if (sorted.at(-1)![1] !== g.count) throw new Error(`${family.name}${key}: +Inf bucket differs from _count`);
  }
}

/** The value of one series (0 when absent: a labelled counter appears on its first increment). */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const family = familyOf(name, families);
  const sample = family?.samples.find(
    (s) => s.name === name && Object.keys(labels).length === Object.keys(s.labels).length && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return sample?.value ?? 0;
}

/** Every series of a sample name whose labels include `labels`. */
export function samplesMatching(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): Sample[] {
  const family = familyOf(name, families);
  return (family?.samples ?? []).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

// A test server's metrics (startApp gives every one TEST_METRICS_TOKEN unless a suite sets its own).
// `send`: an in-process app's fetch (test/support/in-process-app.ts) scrapes through its route handlers.
export async function scrape(baseUrl: string, token = TEST_METRICS_TOKEN, send: typeof fetch = fetch): Promise<Map<string, Family>> {
  const res = await send(`${baseUrl}/api/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (res.status !== 200) throw new Error(`/api/metrics answered ${res.status}`);
  return parsePrometheusText(await res.text());
}
