import { performance } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

/** One run being measured. */
export interface CpuRun {
  /**
   * Call once the handler has returned its promise: what ran since `begin()` was the handler's
   * synchronous part alone (a meter that shares the loop charges it to this run only).
   */
  called(): void;
  /** Ends the measure (once; later calls give the same value): the run's CPU ms. */
  stop(): number;
}

/** Measures the CPU time one run takes: `begin()` just before the handler is called. */
export interface CpuMeter {
  begin(): CpuRun;
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
      let cpuMs: number | undefined;
      return {
        called: () => undefined,
        stop: () => (cpuMs ??= totalMs(read(start))),
      };
    },
  };
}

/**
 * On the event loop many runs interleave on one thread and no clock tells most of their slices apart
 * (an async handler's later synchronous runs are scattered over many callbacks). Two parts are measured:
 * - the handler's synchronous part, from the call until it returns its promise: only that handler runs
 *   then, so the clock read around it (`called()`) is charged to that run alone. For a handler that does
 *   all its work before its first `await` (cpu.primes and the other CPU tasks), that is its whole cost;
 * - the rest is shared out equally among the runs in flight at each moment (`process.cpuUsage()`): between
 *   two clock reads, the CPU used is split by the number of runs then in flight.
 * A run's cpuMs is its own part plus its shares. Nothing is counted twice (own parts and shares add up to
 * the process's CPU while runs are in flight), but what a handler does after its first `await` is shared
 * with the runs beside it, and the consumer's own work meanwhile (BullMQ, Redis replies, metrics; V8's GC
 * and compiler threads) is charged to the runs too. Alone on the loop, a run's cpuMs is the process's CPU
 * over its run. Before the synchronous part was measured apart, a misrouted cpu.primes beside ~100 io jobs
 * measured a CPU/wall ratio of 0.037 (its cost charged mostly to the io jobs), which `profile: "auto"`
 * would have read as an io task. The whole process, not `process.threadCpuUsage()`:
 * Linux brings a running thread's own clock up to date only at scheduler ticks and switches, so it lags
 * by up to a tick, while the process clock is exact; an event-loop or inline consumer runs no other
 * executor. See docs/telemetry.md.
 *
 * The clock is a syscall (~0.5 µs, several under load): it is read only when a reading is stale.
 * - After a synchronous part, only when the last reading is at least `COALESCE_MS` old: a part that
 *   short (most handlers start their I/O and return) is charged at the next reading, shared among the
 *   runs in flight then, this one included; a longer one (a CPU task) is still read apart, all its own.
 * - At a start or an end while other runs stay in flight, a reading less than `COALESCE_MS` old is
 *   reused: the CPU since then is charged at the next reading (to the starting run's own part, or
 *   shared among the runs in flight then).
 * So every CPU ms is still counted once, only placed a little differently (by under a millisecond per
 * reading). A run alone on the loop reads the clock at both ends.
 */
class SharedLoopCpuMeter implements CpuMeter {
  readonly #clock = new LoopClock();

  begin(): CpuRun {
    // A reading less than COALESCE_MS old is reused while other runs are in flight: what ran since (the
    // consumer's own work, under a millisecond) is charged at the next reading.
    this.#clock.advance(this.#clock.inFlight > 0);
    return new LoopCpuRun(this.#clock);
  }
}

/** The event loop's CPU clock as the runs in flight share it (see SharedLoopCpuMeter). */
class LoopClock {
  inFlight = 0;
  /** The process's CPU ms at the last reading. */
  lastReadMs = 0;
  /** When (performance.now()) the clock was last read. */
  lastReadAt = -Infinity;
  /** CPU ms that one run in flight has been charged since this clock was made. */
  perRunMs = 0;

  /** Shares the CPU since the last reading among the runs in flight, unless `mayReuse` and it is fresh. */
  advance(mayReuse: boolean): void {
    const now = performance.now();
    if (mayReuse && now - this.lastReadAt < COALESCE_MS) return;
    const nowMs = totalMs(process.cpuUsage());
    if (this.inFlight > 0) this.perRunMs += (nowMs - this.lastReadMs) / this.inFlight;
    this.lastReadMs = nowMs;
    this.lastReadAt = now;
  }

  /**
   * The CPU since the last reading, all of it the caller's own (only its synchronous part ran since), or
   * 0 when that reading is fresh: then it is shared out at the next reading instead.
   */
  takeOwn(): number {
    const now = performance.now();
    if (now - this.lastReadAt < COALESCE_MS) return 0;
    const nowMs = totalMs(process.cpuUsage());
    const own = nowMs - this.lastReadMs;
    this.lastReadMs = nowMs;
    this.lastReadAt = now;
    return own;
  }
}

/** One run on the shared clock: one object, no closures (one per job on the io lane). */
class LoopCpuRun implements CpuRun {
  #own?: number;
  #startShare = 0;
  #cpuMs?: number;

  constructor(private readonly clock: LoopClock) {}

  called(): void {
    if (this.#own !== undefined) return;
    this.#own = this.clock.takeOwn();
    this.clock.inFlight++;
    this.#startShare = this.clock.perRunMs;
  }

  stop(): number {
    if (this.#cpuMs !== undefined) return this.#cpuMs;
    this.called(); // a handler that threw before returning its promise: all of it was its own part
    this.clock.advance(this.clock.inFlight > 1);
    this.clock.inFlight--;
    this.#cpuMs = (this.#own ?? 0) + this.clock.perRunMs - this.#startShare;
    return this.#cpuMs;
  }
}

/** How old a clock reading may be and still be reused (see SharedLoopCpuMeter). */
const COALESCE_MS = 1;

/** One per process: every event-loop and inline run of this process shares the same CPU. */
export const loopCpuMeter = new SharedLoopCpuMeter();
