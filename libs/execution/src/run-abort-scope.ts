import { JobCancelledError, JobTimeoutError, type AttemptContext } from '@switchyard/contracts';

/**
 * One run's abort signal: fires with JobTimeoutError when `timeoutMs` passes, or with the caller's
 * reason when `external` aborts (a non-Error reason becomes JobCancelledError). `dispose()` once the
 * run has settled. Made once per job, so it holds one controller, one timer and one listener; `settle`
 * adds no promise and no listener (the scope is the only one that aborts its controller).
 *
 * One `setTimeout` per run, not a shared wheel: Node already keeps timers of one duration in one list
 * under one native timer, so a set and clear is ~0.3 µs, and a wheel would fire timeouts late.
 */
export class RunAbortScope {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #attempt: Pick<AttemptContext, 'jobId' | 'timeoutMs'>;
  readonly #external?: AbortSignal;
  readonly #onExternalAbort = () => this.#abortWith(this.#external?.reason);
  /** `settle`'s error callback, called when the scope aborts first. */
  #onAbort?: (reason: unknown) => void;
  /** Whether `settle` has called back (it calls back once). */
  #settled = false;
  /** Epoch ms past which the run has timed out, even if the timer could not fire (a blocked loop). */
  readonly deadline: number;

  constructor(attempt: Pick<AttemptContext, 'jobId' | 'timeoutMs'>, external?: AbortSignal) {
    const { timeoutMs } = attempt;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new RangeError(`attempt.timeoutMs must be a positive integer of milliseconds, got ${timeoutMs}`);
    }
    this.#attempt = attempt;
    this.deadline = Date.now() + timeoutMs;
    this.#timer = setTimeout(() => this.timeOut(), timeoutMs);
    this.#external = external;
    if (external?.aborted) this.#onExternalAbort();
    else external?.addEventListener('abort', this.#onExternalAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /**
   * Calls `onValue` or `onError` as `running` settles, or `onError` with the abort reason as soon as the
   * scope aborts, whichever comes first: one of them, once. A run that goes on after the abort is left
   * to end on its own; its late outcome, rejection included, is dropped (never unhandled). Once per
   * scope. Callbacks rather than a promise: the event-loop executor settles its run's own promise from
   * them, one promise and one microtask turn fewer per job.
   */
  settle<T>(running: Promise<T>, onValue: (value: T) => void, onError: (reason: unknown) => void): void {
    running.then(
      (value) => {
        if (this.#callsBack()) onValue(value);
      },
      (error: unknown) => {
        if (this.#callsBack()) onError(error);
      },
    );
    const signal = this.#controller.signal;
    if (signal.aborted) {
      if (this.#callsBack()) onError(signal.reason);
    } else this.#onAbort = onError;
  }

  /** Aborts with JobTimeoutError now (also used when the deadline is found passed after a blocking run). */
  timeOut(): void {
    this.#abortWith(new JobTimeoutError(this.#attempt.timeoutMs));
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#external?.removeEventListener('abort', this.#onExternalAbort);
    this.#onAbort = undefined;
  }

  /** True the first time only: `settle` calls back once. */
  #callsBack(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    return true;
  }

  #abortWith(reason: unknown): void {
    if (this.#controller.signal.aborted) return;
    this.#controller.abort(reason instanceof Error ? reason : new JobCancelledError(this.#attempt.jobId));
    const onAbort = this.#onAbort;
    if (onAbort && this.#callsBack()) onAbort(this.#controller.signal.reason);
  }
}
