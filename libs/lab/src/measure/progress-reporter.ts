import type { CellSpec } from '../plan';
import type { CellResult } from '../lab-results';

/** Where the runner reports what it is doing. */
export interface LabProgress {
  cellStarted(index: number, total: number, cell: CellSpec): void;
  /** What the current cell is doing right now (starting, run 2/3, 40/120 jobs…). */
  cellStatus(status: string): void;
  cellFinished(result: CellResult): void;
  message(text: string): void;
  close(): void;
}

function outcome(result: CellResult): string {
  if (result.error) return `failed: ${result.error.split('\n')[0]}`;
  const { median, interval } = result.throughputPerSec;
  const busy = result.busy
    ? ` · BUSY: other processes took ${result.foreignCpuPercentOfCore?.toFixed(0)} % of a core`
    : '';
  return `${median.toFixed(1)} jobs/s [${interval.low.toFixed(1)}–${interval.high.toFixed(1)}] over ${result.runs.length} runs, p99 ${result.latencyMs.p99.median.toFixed(0)} ms${busy}`;
}

/**
 * A status line per cell. On a TTY the line is rewritten in place as the cell progresses; elsewhere
 * (CI logs, a Kubernetes Job) each cell prints one line when it ends, so logs stay readable.
 */
export class StatusLineProgress implements LabProgress {
  readonly #stream: NodeJS.WriteStream;
  readonly #live: boolean;
  #prefix = '';

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.#stream = stream;
    this.#live = Boolean(stream.isTTY);
  }

  cellStarted(index: number, total: number, cell: CellSpec): void {
    this.#prefix = `[${index + 1}/${total}] ${cell.id}`;
    this.cellStatus('starting');
  }

  cellStatus(status: string): void {
    if (!this.#live) return;
    const line = `${this.#prefix} · ${status}`.slice(0, Math.max(20, (this.#stream.columns ?? 120) - 1));
    this.#stream.write(`\r\x1b[2K${line}`);
  }

  cellFinished(result: CellResult): void {
    this.#stream.write(`${this.#live ? '\r\x1b[2K' : ''}${this.#prefix} · ${outcome(result)}\n`);
  }

  message(text: string): void {
    this.#stream.write(`${this.#live ? '\r\x1b[2K' : ''}${text}\n`);
  }

  close(): void {
    if (this.#live) this.#stream.write('\r\x1b[2K');
  }
}
