import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';

/** How often the lane's lists are read: fine enough for runs of seconds, cheap for the server. */
const POLL_MS = 10;

/**
 * Watches one BullMQ queue's lists directly in Redis, the same way for Switchyard and for raw BullMQ, so
 * neither side is asked anything while it runs. Counts the commands it sends, to take them out of
 * the server's counters.
 */
export class LaneDrain {
  /** Commands this watcher sent, by name as INFO commandstats names them. */
  readonly sent = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly queue: string,
  ) {}

  /**
   * Resolves once no job waits or runs (call it after the last job was enqueued: a lane that drains
   * faster than it is filled looks empty between batches). Rejects when a job failed or the lane does
   * not drain within `timeoutMs`.
   */
  async until(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { pending, failed } = await this.read();
      if (failed > 0) throw new Error(`${failed} job(s) failed on ${this.prefix}:${this.queue}`);
      if (pending === 0) return;
      if (Date.now() > deadline)
        throw new Error(
          `${pending} job(s) still pending on ${this.prefix}:${this.queue} after ${timeoutMs} ms`,
        );
      await delay(POLL_MS);
    }
  }

  /** Jobs waiting, prioritized or active; failed jobs. */
  async read(): Promise<{ pending: number; active: number; failed: number }> {
    const key = (name: string) => `${this.prefix}:${this.queue}:${name}`;
    const results = await this.redis
      .pipeline()
      .llen(key('wait'))
      .llen(key('active'))
      .zcard(key('prioritized'))
      .zcard(key('failed'))
      .exec();
    this.count('llen', 2);
    this.count('zcard', 2);
    const [wait, active, prioritized, failed] = (results ?? []).map(([, value]) => Number(value));
    return { pending: wait + active + prioritized, active, failed };
  }

  private count(command: string, calls: number): void {
    this.sent.set(command, (this.sent.get(command) ?? 0) + calls);
  }
}
