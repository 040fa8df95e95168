import { intervalsOverlap, optionalSpread, spread } from '@switchyard/stats';
import type { CellResult, RoutedJobs, Spread } from '../lab-results';

/** Cells that measured something (not failed, at least one run). */
export function measured(cells: readonly CellResult[]): CellResult[] {
  return cells.filter((cell) => !cell.error && cell.runs.length > 0);
}

/** A series' measured cells, fewest workers first. */
export function seriesCells(cells: readonly CellResult[], series: string): CellResult[] {
  return measured(cells)
    .filter((cell) => cell.series === series)
    .sort((a, b) => a.workers - b.workers);
}

export function findCell(cells: readonly CellResult[], id: string): CellResult | undefined {
  return measured(cells).find((cell) => cell.id === id);
}

/** The cell of a series with the most workers not above `limit`. */
export function cellAtMost(series: readonly CellResult[], limit: number): CellResult | undefined {
  return [...series].reverse().find((cell) => cell.workers <= limit);
}

export function peak(series: readonly CellResult[]): CellResult | undefined {
  return series.reduce<CellResult | undefined>(
    (best, cell) => (!best || cell.throughputPerSec.median > best.throughputPerSec.median ? cell : best),
    undefined,
  );
}

/** The io.sleep latency p99 of a (possibly mixed) cell, from its runs' per-task numbers. */
export function taskP99(cell: CellResult, task: string): number | undefined {
  const values = cell.runs.flatMap((run) =>
    run.byTask.filter((entry) => entry.task === task).map((entry) => entry.latencyMs.p99),
  );
  if (values.length === 0) return undefined;
  const sorted = values.sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * A task's latency p99 over a cell's runs, with its interval: per run the worst p99 among the lanes the
 * task ran on (a run whose jobs of one task were split over two lanes counts its slower lane).
 */
export function taskP99Spread(cell: CellResult, task: string): Spread | undefined {
  return optionalSpread(
    cell.runs.map((run) => {
      const entries = run.byTask.filter((entry) => entry.task === task);
      return entries.length === 0 ? undefined : Math.max(...entries.map((entry) => entry.latencyMs.p99));
    }),
  );
}

/** Where a cell's jobs went, summed over its runs per task, lane and reason; the ratio is the runs' median. */
export function routedJobsOf(cell: CellResult): RoutedJobs[] {
  const groups = new Map<string, RoutedJobs[]>();
  for (const entry of cell.runs.flatMap((run) => run.routing ?? [])) {
    const key = [entry.task, entry.lane, entry.reason].join('\u0000');
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  return [...groups.values()].map((group) => {
    const ratios = group.flatMap((entry) => (entry.cpuRatio === undefined ? [] : [entry.cpuRatio]));
    return {
      task: group[0].task,
      lane: group[0].lane,
      reason: group[0].reason,
      jobs: group.reduce((sum, entry) => sum + entry.jobs, 0),
      ...(ratios.length > 0 ? { cpuRatio: spread(ratios).median } : {}),
    };
  });
}

export const formatRate = (value: number) => `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} jobs/s`;
export const formatMs = (value: number) => `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ms`;
export const formatTimes = (value: number) => `${value.toFixed(2)}×`;
export const formatPercent = (value: number) => `${(100 * value).toFixed(0)} %`;
export const formatMiB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

/**
 * Whether two medians can be ranked: false when both have an interval (two or more repeats) and the
 * intervals overlap. A single run has no interval; its ranking stands and the table shows 1 run.
 */
export function distinguishable(a: Spread, b: Spread): boolean {
  if (a.interval.confidence === 0 || b.interval.confidence === 0) return true;
  return !intervalsOverlap(a.interval, b.interval);
}

/** A median with its interval: `61.2 jobs/s [58.0–63.1]`. */
export function withInterval(spread: Spread, format: (value: number) => string): string {
  if (spread.interval.confidence === 0) return format(spread.median);
  const bare = (value: number) => format(value).replace(/ .*$/, '');
  return `${format(spread.median)} [${bare(spread.interval.low)}–${bare(spread.interval.high)}]`;
}
