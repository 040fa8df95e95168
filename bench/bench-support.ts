import { performance } from 'node:perf_hooks';

export interface Measurement {
  /** What ran, e.g. `raw BullMQ`. */
  subject: string;
  /** Operations per second, one value per repetition. */
  runs: number[];
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Times `operations` done by `body`, `repeat` times; returns operations per second per run. */
export async function measure(
  operations: number,
  repeat: number,
  body: () => Promise<void>,
): Promise<number[]> {
  const runs: number[] = [];
  for (let run = 0; run < repeat; run++) {
    const start = performance.now();
    await body();
    runs.push((operations * 1000) / (performance.now() - start));
  }
  return runs;
}

/** One table: subjects side by side, the first one the baseline of the ratio column. */
export function formatComparison(title: string, unit: string, measurements: Measurement[]): string {
  const baseline = median(measurements[0].runs);
  const rows = measurements.map((measurement) => {
    const value = median(measurement.runs);
    const spread = `${Math.min(...measurement.runs).toFixed(0)}–${Math.max(...measurement.runs).toFixed(0)}`;
    return [measurement.subject, value.toFixed(0), spread, `${((value / baseline) * 100).toFixed(1)} %`];
  });
  const header = ['subject', `${unit} (median)`, 'min–max', 'vs first'];
  const widths = header.map((_, column) =>
    Math.max(header[column].length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ');
  return [
    `\n${title}`,
    line(header),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...rows.map(line),
  ].join('\n');
}
