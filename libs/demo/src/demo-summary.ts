import type { JobView } from '@switchyard/contracts';
import { mean, percentile } from '@switchyard/stats';

export interface SummaryRow {
  task: string;
  model: string;
  lane: string;
  jobs: number;
  failed: number;
  /** First submission to last finish. */
  wallMs: number;
  throughputPerSec: number;
  p50Ms: number;
  p95Ms: number;
  meanQueueWaitMs: number;
  meanRunMs: number;
  /** Distinct pid/thread pairs that ran the jobs. */
  workers: number;
  pids: number;
}

/** Groups finished job views by task and execution model. */
export function summarize(views: JobView[]): SummaryRow[] {
  const groups = Map.groupBy(views, (view) => `${view.task}|${view.execution?.model ?? 'n/a'}|${view.lane}`);
  return [...groups.values()].map((group) => {
    const first = group[0];
    const created = group.map((view) => Date.parse(view.createdAt));
    const finished = group.map((view) => Date.parse(view.finishedAt ?? view.createdAt));
    const latencies = finished.map((end, index) => end - created[index]);
    const wallMs = Math.max(...finished) - Math.min(...created);
    return {
      task: first.task,
      model: first.execution?.model ?? 'n/a',
      lane: first.lane,
      jobs: group.length,
      failed: group.filter((view) => view.state !== 'completed').length,
      wallMs,
      throughputPerSec: wallMs > 0 ? (group.length * 1000) / wallMs : Number.NaN,
      p50Ms: percentile(latencies, 50),
      p95Ms: percentile(latencies, 95),
      meanQueueWaitMs: mean(group.map((view) => view.queueWaitMs ?? 0)),
      meanRunMs: mean(group.map((view) => view.runMs ?? 0)),
      workers: new Set(group.map((view) => `${view.execution?.pid}/${view.execution?.threadId}`)).size,
      pids: new Set(group.map((view) => view.execution?.pid)).size,
    };
  });
}

const COLUMNS: [string, (row: SummaryRow) => string][] = [
  ['task', (row) => row.task],
  ['model', (row) => row.model],
  ['lane', (row) => row.lane],
  ['jobs', (row) => String(row.jobs)],
  ['failed', (row) => String(row.failed)],
  ['wall ms', (row) => row.wallMs.toFixed(0)],
  ['jobs/s', (row) => row.throughputPerSec.toFixed(1)],
  ['p50 ms', (row) => row.p50Ms.toFixed(0)],
  ['p95 ms', (row) => row.p95Ms.toFixed(0)],
  ['queue wait ms', (row) => row.meanQueueWaitMs.toFixed(0)],
  ['run ms', (row) => row.meanRunMs.toFixed(1)],
  ['ran on (pid/thread)', (row) => `${row.workers} worker(s) in ${row.pids} process(es)`],
];

export function formatSummary(rows: SummaryRow[]): string {
  const cells = [COLUMNS.map(([title]) => title), ...rows.map((row) => COLUMNS.map(([, cell]) => cell(row)))];
  const widths = COLUMNS.map((_, column) => Math.max(...cells.map((line) => line[column].length)));
  const line = (values: string[]) => values.map((value, column) => value.padEnd(widths[column])).join('  ');
  return [
    line(cells[0]),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...cells.slice(1).map(line),
  ].join('\n');
}
