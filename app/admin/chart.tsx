"use client";

import { useEffect, useMemo, useRef } from "react";
import type uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

// One series of a chart (a line over time; a bar chart has exactly one).
export interface ChartSeries {
  label: string;
  color: string;
  values: (number | null)[];
}

export interface ChartProps {
  title: string;
  testId: string;
  // Unix seconds for a time chart, or category names for a bar chart.
  x: number[] | string[];
  series: ChartSeries[];
  bars?: boolean;
  // Formats a y value for the axis and the legend.
  unit?: "ms" | "%" | "count";
  height?: number;
  // Takes two grid columns (many categories).
  wide?: boolean;
}

function format(unit: ChartProps["unit"], v: number | null | undefined): string {
  if (v === null || v === undefined) return "–";
  if (unit === "ms") return `${v.toFixed(v < 10 ? 1 : 0)} ms`;
  if (unit === "%") return `${(v * 100).toFixed(0)} %`;
  return String(Math.round(v * 100) / 100);
}

const pointsOf = (series: ChartSeries[]) => series.reduce((n, s) => n + s.values.filter((v) => v !== null).length, 0);

// A uPlot chart (canvas, drawn on the client only: uPlot needs the DOM).
// Created once per shape (the parent keys it by its series), then fed new
// data in place as the dashboard polls.
export function Chart({ title, testId, x, series, bars = false, unit = "count", height = 220, wide = false }: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const aligned = useMemo(
    () => [bars ? x.map((_, i) => i) : (x as number[]), ...series.map((s) => s.values)] as uPlot.AlignedData,
    [bars, x, series],
  );
  const data = useRef<uPlot.AlignedData>(aligned);
  const categories = bars ? (x as string[]) : null;

  // Runs before the creation effect below, so a new plot starts from the latest data too.
  useEffect(() => {
    data.current = aligned;
    plot.current?.setData(aligned);
  }, [aligned]);

  useEffect(() => {
    let cancelled = false;
    let resize: ResizeObserver | undefined;
    void import("uplot").then(({ default: UPlot }) => {
      if (cancelled || !host.current) return;
      const width = Math.max(280, host.current.clientWidth);
      const options: uPlot.Options = {
        width,
        height,
        scales: { x: { time: !bars, ...(bars ? { range: (_u, min, max) => [min - 0.5, max + 0.5] as uPlot.Range.MinMax } : {}) }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
        axes: [
          bars ? { values: (_u, splits) => splits.map((i) => categories?.[i] ?? ""), splits: () => (categories ?? []).map((_, i) => i) } : {},
          { values: (_u, splits) => splits.map((v) => format(unit, v)), size: 60 },
        ],
        series: [
          bars ? { label: "", value: (_u, i) => (i === null ? "" : (categories?.[i] ?? "")) } : {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            fill: bars ? s.color : undefined,
            width: bars ? 0 : 2,
            spanGaps: false,
            value: (_u: uPlot, v: number | null) => format(unit, v),
            ...(bars ? { paths: UPlot.paths.bars!({ size: [0.6, 80] }), points: { show: false } } : {}),
          })),
        ],
      };
      plot.current = new UPlot(options, data.current, host.current);
      resize = new ResizeObserver(() => {
        if (host.current && plot.current) plot.current.setSize({ width: Math.max(280, host.current.clientWidth), height });
      });
      resize.observe(host.current);
    });
    return () => {
      cancelled = true;
      resize?.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // Created once per shape: the parent remounts the chart (key) when its series change.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    <figure className={wide ? "admin-chart admin-chart-wide" : "admin-chart"} data-testid={testId} data-points={pointsOf(series)}>
      <figcaption>{title}</figcaption>
      <div ref={host} className="admin-chart-canvas" />
    </figure>
  );
}
