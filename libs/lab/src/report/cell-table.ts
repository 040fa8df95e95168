import type { CellResult, Spread } from '../lab-results';

export const CELL_TABLE_COLUMNS = [
  'cell',
  'workers',
  'jobs/s [interval]',
  'runs · confidence',
  'in flight',
  'p50 ms',
  'p95 ms',
  'p99 ms',
  'wait / run ms',
  'speedup',
  'efficiency',
  'EL delay p99',
  'EL util',
  'CPU %',
  'RSS/replica',
  'foreign CPU',
] as const;

const number = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));
/** The median and its interval; a single run has none. */
const withInterval = (spread: Spread) =>
  spread.interval.confidence > 0
    ? `${number(spread.median)} [${number(spread.interval.low)}–${number(spread.interval.high)}]`
    : number(spread.median);

/** How many runs, the interval's confidence, and whether it came within ±5 % (✓) or hit the cap. */
function repeats(cell: CellResult): string {
  const confidence = `${(100 * cell.throughputPerSec.interval.confidence).toFixed(0)} %`;
  return `${cell.runs.length} · ${confidence}${cell.repeatsStoppedBy === 'converged' ? ' ✓' : ''}`;
}

/** Foreign CPU in % of one core, marked BUSY above the threshold. */
export function foreignCpuText(cell: CellResult): string {
  if (cell.foreignCpuPercentOfCore === undefined) return '–';
  return `${cell.foreignCpuPercentOfCore.toFixed(0)} %${cell.busy ? ' BUSY' : ''}`;
}
const optional = (spread: Spread | undefined, format: (value: number) => string) =>
  spread ? format(spread.median) : '–';

/** One row per cell, as strings, for the markdown, HTML and terminal tables alike. */
export function cellTableRow(cell: CellResult): string[] {
  if (cell.error)
    return [
      cell.id,
      String(cell.workers),
      `failed: ${cell.error.split('\n')[0]}`,
      ...Array<string>(CELL_TABLE_COLUMNS.length - 3).fill(''),
    ];
  return [
    cell.id,
    `${cell.perReplica}×${cell.replicas}`,
    withInterval(cell.throughputPerSec),
    repeats(cell),
    cell.parallelism.median.toFixed(2),
    number(cell.latencyMs.p50.median),
    number(cell.latencyMs.p95.median),
    number(cell.latencyMs.p99.median),
    `${number(cell.queueWaitMs.median)} / ${number(cell.runMs.median)}`,
    cell.speedup === undefined ? '–' : `${cell.speedup.toFixed(2)}×`,
    cell.efficiency === undefined ? '–' : `${(100 * cell.efficiency).toFixed(0)} %`,
    optional(cell.eventLoopDelayP99Ms, (value) => `${number(value)} ms`),
    optional(cell.eventLoopUtilization, (value) => value.toFixed(2)),
    optional(cell.cpuPercent, (value) => value.toFixed(0)),
    optional(cell.peakRssBytesPerReplica, (value) => `${(value / 1024 / 1024).toFixed(0)} MiB`),
    foreignCpuText(cell),
  ];
}

/** A fixed-width table for the terminal. */
export function formatTextTable(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (cell ?? '').padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((width) => '─'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}
