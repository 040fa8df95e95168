import type { AttemptContext } from '@switchyard/contracts';
import { spread } from '@switchyard/stats';

/**
 * An attempt of the cpu lane as a bench hands it to an executor straight away (no queue), number `id`.
 * With `traced`, its traceparent is made from the number, not `crypto`: the harness's own work would
 * count as the hop's.
 */
export function benchAttempt(id: number, task: string, payload: unknown, traced = false): AttemptContext {
  const hex = (value: number, digits: number) => value.toString(16).padStart(digits, '0');
  return {
    jobId: String(id),
    task,
    payload,
    timeoutMs: 60_000,
    lane: 'cpu',
    profile: 'cpu',
    attempt: 1,
    queueWaitMs: 0,
    tenant: 'bench',
    ...(traced ? { traceparent: `00-${hex(id + 1, 32)}-${hex(id + 1, 16)}-01` } : {}),
  };
}

export interface Measurement {
  /** What ran, e.g. `raw BullMQ`. */
  subject: string;
  /** Operations per second, one value per repetition. */
  runs: number[];
}

/** One table: subjects side by side, the first one the baseline of the ratio column. */
export function formatComparison(title: string, unit: string, measurements: Measurement[]): string {
  const baseline = spread(measurements[0].runs).median;
  const rows = measurements.map((measurement) => {
    const { median, min, max } = spread(measurement.runs);
    return [
      measurement.subject,
      median.toFixed(0),
      `${min.toFixed(0)}–${max.toFixed(0)}`,
      `${((median / baseline) * 100).toFixed(1)} %`,
    ];
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
