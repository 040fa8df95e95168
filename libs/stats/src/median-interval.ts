/**
 * A distribution-free confidence interval of the median from order statistics: for n sorted values
 * x(1) ≤ … ≤ x(n), the interval [x(k), x(n+1−k)] covers the true median with probability
 * 1 − 2·P(B ≤ k − 1), B ~ Binomial(n, ½), whatever the distribution (only independent repeats are
 * assumed). It needs no bootstrap resampling, which says little with the handful of repeats a lab cell
 * gets, and its coverage is exact rather than asymptotic.
 */
export interface MedianInterval {
  low: number;
  high: number;
  /**
   * The interval's actual coverage, 0–1. Below the requested level when there are too few values:
   * a 95 % interval needs at least 6; fewer give [min, max] with 1 − 2^(1−n) (75 % for 3).
   */
  confidence: number;
}

/** P(B ≤ k) for B ~ Binomial(n, ½), summed exactly (n is a count of repeats, small). */
export function binomialHalfCdf(n: number, k: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  let term = 2 ** -n;
  let sum = term;
  for (let i = 1; i <= k; i++) {
    term = (term * (n - i + 1)) / i;
    sum += term;
  }
  return sum;
}

/** Coverage of [x(k), x(n+1−k)] as an interval of the median of n values. */
export function orderStatisticCoverage(n: number, k: number): number {
  return 1 - 2 * binomialHalfCdf(n, k - 1);
}

/**
 * The narrowest order-statistic interval of the median with coverage ≥ `level`; with too few values
 * for that level, [min, max] and its (lower) coverage. An empty list gives a zero interval with
 * confidence 0.
 */
export function medianInterval(values: readonly number[], level = 0.95): MedianInterval {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { low: 0, high: 0, confidence: 0 };
  let k = 1;
  while (k + 1 <= Math.floor((n + 1) / 2) && orderStatisticCoverage(n, k + 1) >= level) k++;
  return { low: sorted[k - 1], high: sorted[n - k], confidence: orderStatisticCoverage(n, k) };
}

/**
 * True when the interval has at least `level` coverage and lies within ±`relative` of the median:
 * the point where more repeats would not change what the number says.
 */
export function intervalWithin(
  interval: MedianInterval,
  median: number,
  relative: number,
  level = 0.95,
): boolean {
  if (interval.confidence < level || median <= 0) return false;
  return interval.low >= median * (1 - relative) && interval.high <= median * (1 + relative);
}

/** True when two intervals share any value: the medians they bound cannot be ranked. */
export function intervalsOverlap(a: MedianInterval, b: MedianInterval): boolean {
  return a.low <= b.high && b.low <= a.high;
}
