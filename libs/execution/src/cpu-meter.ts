import { performance } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

/** Measures the CPU time one run takes: `begin()` when the handler starts; the returned stop gives ms. */
export interface CpuMeter {
  begin(): () => number;
}

const MICROS_PER_MS = 1_000;

function totalMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / MICROS_PER_MS;
}

/**
 * A pool's worker runs one task at a time, so the whole delta is that task's own CPU:
 * - in a worker thread, `process.threadCpuUsage()` (this thread only; `process.cpuUsage()` there
 *   would count every thread of the consumer, the event loop and the other pool threads included).
 *   Linux updates a running thread's clock at scheduler ticks and switches, so a reading may lag by up
 *   to a tick: a run of a few ms may read less than it used, even 0;
 * - in a child process, `process.cpuUsage()`: the whole child, so V8's GC helper threads and libuv's
 *   thread pool working for the task count too.
 */
export function ownCpuMeter(): CpuMeter {
  const read: (previous?: NodeJS.CpuUsage) => NodeJS.CpuUsage = isMainThread
    ? (previous) => process.cpuUsage(previous)
    : (previous) => process.threadCpuUsage(previous);
  return {
    begin() {
      const start = read();
      return () => totalMs(read(start));
    },
  };
}

/**
 * On the event loop many runs interleave on one thread and no clock tells their slices apart (an async
 * handler's synchronous runs are scattered over many callbacks). This meter shares the process's CPU
 * (`process.cpuUsage()`) out equally among the runs in flight at each moment: between two starts or ends,
 * the CPU used is split by the number of runs then in flight, and a run's cpuMs is the sum of its shares.
 * The shares add up to the process's CPU while runs are in flight (nothing is counted twice), but a
 * CPU-heavy run shares its cost with the runs beside it, and the consumer's own work meanwhile (BullMQ,
 * Redis replies, metrics; V8's GC and compiler threads) is charged to the runs too. Alone on the loop, a
 * run's cpuMs is the process's CPU over its run. The whole process, not `process.threadCpuUsage()`:
 * Linux brings a running thread's own clock up to date only at scheduler ticks and switches, so it lags
 * by up to a tick, while the process clock is exact; an event-loop or inline consumer runs no other
 * executor. See docs/telemetry.md.
 *
 * The clock is a syscall (~0.5 µs). While other runs stay in flight across a start or an end, a reading
 * less than `COALESCE_MS` old is reused: the CPU since then is charged at the next reading to the runs
 * in flight then, so it is still counted once, only split among the runs of that millisecond a little
 * differently. A run that starts or ends alone on the loop always reads the clock.
 */
class SharedLoopCpuMeter implements CpuMeter {
  #inFlight = 0;
  #lastReadMs = 0;
  /** When (performance.now()) the clock was last read. */
  #lastReadAt = -Infinity;
  /** CPU ms that one run in flight has been charged since this meter was made. */
  #perRunMs = 0;

  begin(): () => number {
    this.#advance(this.#inFlight > 0);
    this.#inFlight++;
    const startShare = this.#perRunMs;
    let cpuMs: number | undefined;
    return () => {
      if (cpuMs !== undefined) return cpuMs;
      this.#advance(this.#inFlight > 1);
      this.#inFlight--;
      cpuMs = this.#perRunMs - startShare;
      return cpuMs;
    };
  }

  #advance(othersInFlight: boolean): void {
    const now = performance.now();
    if (othersInFlight && now - this.#lastReadAt < COALESCE_MS) return;
    const nowMs = totalMs(process.cpuUsage());
    if (this.#inFlight > 0) this.#perRunMs += (nowMs - this.#lastReadMs) / this.#inFlight;
    this.#lastReadMs = nowMs;
    this.#lastReadAt = now;
  }
}

/** How old a clock reading may be and still be reused while other runs are in flight. */
const COALESCE_MS = 1;

/** One per process: every event-loop and inline run of this process shares the same CPU. */
export const loopCpuMeter = new SharedLoopCpuMeter();
