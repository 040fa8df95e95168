import { intervalWithin, spread } from '@switchyard/stats';
import type { RunMeasurement } from '../lab-results';

/** Confidence of the interval of each median. */
export const CONFIDENCE_LEVEL = 0.95;
/** A cell stops repeating once its throughput median's interval lies within ±5 % of it. */
export const RELATIVE_HALF_WIDTH = 0.05;
/** Repeat caps: a full run may go on to 10 repeats; `--quick` stops at 3, its minimum. */
export const DEFAULT_MAX_REPEAT = 10;
export const QUICK_MAX_REPEAT = 3;

/**
 * True when the throughput median of these runs is known to ±5 % at 95 % confidence. Throughput is
 * the number every scaling conclusion compares, so it is the one the repeats are spent on; a 95 %
 * order-statistic interval needs at least 6 runs.
 */
export function throughputConverged(runs: readonly RunMeasurement[]): boolean {
  const throughput = spread(runs.map((run) => run.throughputPerSec));
  return intervalWithin(throughput.interval, throughput.median, RELATIVE_HALF_WIDTH, CONFIDENCE_LEVEL);
}

/** Whether to run another repeat: below the minimum always, at the cap never, else until converged. */
export function wantsAnotherRepeat(
  runs: readonly RunMeasurement[],
  minRepeat: number,
  maxRepeat: number,
): boolean {
  if (runs.length < minRepeat) return true;
  if (runs.length >= maxRepeat) return false;
  return !throughputConverged(runs);
}
