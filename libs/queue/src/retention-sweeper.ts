import { createLogger } from '@switchyard/telemetry';
import type { LaneQueues } from './lane-queues';

export interface RetentionSweeperOptions {
  queues: LaneQueues;
  /** How long a completed job is kept (COMPLETED_RETENTION_SECONDS); 0: the job options remove it at once. */
  completedSeconds: number;
  /** How long a failed or cancelled job is kept (FAILED_RETENTION_SECONDS); 0: removed at once. */
  failedSeconds: number;
  /** Time between sweeps. @defaultValue 60000 */
  intervalMs?: number;
  /** At most this many jobs removed per lane, state and sweep: one bounded script each. @defaultValue 1000 */
  limit?: number;
}

/**
 * Retention by age, for every lane, as one periodic `Queue.clean` per finished state. The jobs carry
 * retention by count only (`removeOnComplete: { count }`), so BullMQ's `moveToFinished` no longer scans
 * the finished set by score for every job it finishes; jobs older than the retention are removed here,
 * up to a minute late. Every api replica sweeps; a second sweep finds nothing to remove.
 */
export class RetentionSweeper {
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  private readonly logger = createLogger('switchyard-retention');

  constructor(private readonly options: RetentionSweeperOptions) {}

  /** Starts the timer; it keeps no process alive (unref'd). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep().finally(() => (this.sweeping = undefined));
    }, this.options.intervalMs ?? 60_000);
    this.timer.unref();
  }

  /** Stops the timer and waits for a sweep under way, so the queues can close after it. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  /** Removes, in every lane, the completed and failed jobs past their retention; failures are logged, not thrown. */
  async sweep(): Promise<void> {
    const limit = this.options.limit ?? 1_000;
    const states = [
      ['completed', this.options.completedSeconds],
      ['failed', this.options.failedSeconds],
    ] as const;
    for (const queue of this.options.queues.all()) {
      for (const [state, seconds] of states) {
        try {
          await queue.clean(seconds * 1000, limit, state);
        } catch (error) {
          this.logger.warn(
            { lane: queue.name, state, err: error },
            'retention sweep failed; the next one retries',
          );
        }
      }
    }
  }
}
