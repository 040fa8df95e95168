import type { ExecutionRecord, JobProgress } from '@switchyard/contracts';

/** The part of a BullMQ job progress is written to. */
interface ProgressTarget {
  updateProgress(progress: object): Promise<unknown>;
}

/**
 * One attempt's progress, written to its job: a script call and an event in Redis per write, so at most
 * one per interval. A task may report thousands of times a second; the latest report is written once
 * the interval since the last write (or since the attempt started) has passed: at once when a report
 * comes that late (so a handler that holds the event loop still gets its writes out), else by a timer.
 * An attempt that ends within its first interval writes none: its outcome replaces the progress (a
 * completed job shows 100 %), which spares every short job a round trip to Redis.
 */
export class JobProgressWriter {
  #pending?: NodeJS.Timeout;
  #percent = 0;
  #lastWrite = Date.now();

  constructor(
    private readonly job: ProgressTarget,
    private readonly intervalMs: number,
    private readonly execution: () => ExecutionRecord | undefined,
  ) {}

  /** The last reported percentage. */
  get percent(): number {
    return this.#percent;
  }

  /** Writes now, e.g. where the attempt started, which is news while it runs. */
  writeNow(percent: number): void {
    this.#percent = clampPercent(percent);
    this.#write();
  }

  report(percent: number): void {
    this.#percent = clampPercent(percent);
    const dueInMs = this.#lastWrite + this.intervalMs - Date.now();
    if (dueInMs <= 0) this.#write();
    else this.#pending ??= setTimeout(() => this.#write(), dueInMs);
  }

  /** The attempt ended: a write still due is dropped. */
  stop(): void {
    clearTimeout(this.#pending);
  }

  #write(): void {
    clearTimeout(this.#pending);
    this.#pending = undefined;
    this.#lastWrite = Date.now();
    const progress: JobProgress = { percent: this.#percent, execution: this.execution() };
    this.job.updateProgress(progress).catch(() => undefined); // progress is advisory; the job goes on
  }
}

function clampPercent(percent: number): number {
  return Math.max(0, Math.min(100, Math.round(percent)));
}
