import type { ExecutionRecord, JobProgress } from '@switchyard/contracts';

/** The part of a BullMQ job progress is written to. */
interface ProgressTarget {
  updateProgress(progress: object): Promise<unknown>;
}

/**
 * One attempt's progress, written to its job: a script call and an event in Redis per write, so at most
 * one per interval. A task may report thousands of times a second; the latest report is written once
 * the interval since the last write (or since the attempt started) has passed: at once when a report
 * comes that late (so a handler that holds the event loop still gets its writes out), else by the lane
 * worker's `DueProgressWrites` tick. An attempt that ends within its first interval writes none: its
 * outcome replaces the progress (a completed job shows 100 %), which spares every short job a round
 * trip to Redis.
 */
export class JobProgressWriter {
  #pending = false;
  #percent = 0;
  #lastWrite = Date.now();

  constructor(
    private readonly job: ProgressTarget,
    private readonly intervalMs: number,
    private readonly execution: () => ExecutionRecord | undefined,
    private readonly dueWrites: DueProgressWrites,
  ) {}

  /** The last reported percentage. */
  get percent(): number {
    return this.#percent;
  }

  /** Writes now, e.g. where the attempt started, which is news while it runs. */
  writeNow(percent: number): void {
    this.#percent = clampPercent(percent);
    this.#write(Date.now());
  }

  report(percent: number): void {
    this.#percent = clampPercent(percent);
    const now = Date.now();
    if (now >= this.#lastWrite + this.intervalMs) this.#write(now);
    else if (!this.#pending) {
      this.#pending = true;
      this.dueWrites.add(this);
    }
  }

  /** Writes the pending report if its interval is up by `now`. */
  writeIfDue(now: number): void {
    if (this.#pending && now >= this.#lastWrite + this.intervalMs) this.#write(now);
  }

  /** The attempt ended: a write still due is dropped. */
  stop(): void {
    if (this.#pending) this.dueWrites.delete(this);
    this.#pending = false;
  }

  #write(now: number): void {
    this.stop();
    this.#lastWrite = now;
    const progress: JobProgress = { percent: this.#percent, execution: this.execution() };
    this.job.updateProgress(progress).catch(() => undefined); // progress is advisory; the job goes on
  }
}

/**
 * The attempts of one lane worker whose latest report waits for its interval, written by one timer
 * that ticks while any waits: not a timer per attempt (`io.sleep` reports 100 % as it ends, so every
 * job would arm one and clear it). A write comes at most one tick after it is due. The timer stops at
 * the first tick that finds none waiting, not as the last leaves: jobs that report as they end come
 * and go many times a tick.
 */
export class DueProgressWrites {
  readonly #waiting = new Set<JobProgressWriter>();
  #timer?: NodeJS.Timeout;

  /** @param tickMs how often the waiting reports are looked at */
  constructor(private readonly tickMs: number) {}

  add(writer: JobProgressWriter): void {
    this.#waiting.add(writer);
    this.#timer ??= setInterval(() => this.#tick(), this.tickMs);
  }

  delete(writer: JobProgressWriter): void {
    this.#waiting.delete(writer);
  }

  #tick(): void {
    if (this.#waiting.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      return;
    }
    const now = Date.now();
    // A writer that writes leaves the set as it is iterated, which a Set allows.
    for (const writer of this.#waiting) writer.writeIfDue(now);
  }
}

function clampPercent(percent: number): number {
  return Math.max(0, Math.min(100, Math.round(percent)));
}
