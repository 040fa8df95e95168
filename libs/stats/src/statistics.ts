import { medianInterval, type MedianInterval } from './median-interval';

/** Median and spread of one metric over a cell's repeats. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  /** The 95 % order-statistic interval of the median (its `confidence` is lower with under 6 repeats). */
  interval: MedianInterval;
}

/** Latency percentiles in milliseconds. */
export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

/** The p-th percentile (0–100) by the nearest-rank method; 0 for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function percentiles(values: readonly number[]): Percentiles {
  return { p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99) };
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Median, min, max and the median's 95 % interval of a metric over repeats. */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { median: 0, min: 0, max: 0, interval: medianInterval([]) };
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], interval: medianInterval(sorted) };
}

/** The spread of the defined values, or undefined when none is defined. */
export function optionalSpread(values: readonly (number | undefined)[]): Spread | undefined {
  const defined = values.filter((value): value is number => value !== undefined && Number.isFinite(value));
  return defined.length === 0 ? undefined : spread(defined);
}
