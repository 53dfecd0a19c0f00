// Figures the load generator and the bench both compute.

// The p-th percentile of values already sorted ascending (0 for none).
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

// One decimal, as every figure in the report is given.
export const round = (n: number) => Math.round(n * 10) / 10;
