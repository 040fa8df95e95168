import { JobCancelledError, JobTimeoutError, type AttemptContext } from '@switchyard/contracts';

/**
 * One run's abort signal: fires with JobTimeoutError when `timeoutMs` passes, or with the caller's
 * reason when `external` aborts (a non-Error reason becomes JobCancelledError). `dispose()` once the
 * run has settled. Made once per job, so it holds one controller, one timer and one listener; `settle`
 * adds no promise and no listener.
 *
 * A caller that made a controller for this run alone may hand it over (`shared`): the scope then aborts
 * that one on a timeout and listens to it for the caller's aborts, instead of making a second
 * controller and signal linked to the first (~0.4 KiB per job on the io lane). Its signal is then the
 * run's signal; abort it with an Error (the lane worker does), which the run rejects with.
 *
 * One `setTimeout` per run, not a shared wheel: Node already keeps timers of one duration in one list
 * under one native timer, so a set and clear is ~0.3 µs, and a wheel would fire timeouts late.
 */
export class RunAbortScope {
  readonly #controller: AbortController;
  readonly #timer: NodeJS.Timeout;
  readonly #attempt: Pick<AttemptContext, 'jobId' | 'timeoutMs'>;
  /** The signal listened to: the caller's (`external`), or the shared controller's own. */
  readonly #watched?: AbortSignal;
  readonly #onWatchedAbort = () => this.#abortWith(this.#watched?.reason);
  /** `settle`'s error callback, called when the scope aborts first. */
  #onAbort?: (reason: unknown) => void;
  /** Whether `settle` has called back (it calls back once). */
  #settled = false;
  /** Epoch ms past which the run has timed out, even if the timer could not fire (a blocked loop). */
  readonly deadline: number;

  /**
   * @param external the caller's cancellation, when it does not hand over its controller
   * @param shared the caller's controller for this run alone, used as the run's own (`external` is then ignored)
   */
  constructor(
    attempt: Pick<AttemptContext, 'jobId' | 'timeoutMs'>,
    external?: AbortSignal,
    shared?: AbortController,
  ) {
    const { timeoutMs } = attempt;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new RangeError(`attempt.timeoutMs must be a positive integer of milliseconds, got ${timeoutMs}`);
    }
    this.#attempt = attempt;
    this.deadline = Date.now() + timeoutMs;
    this.#timer = setTimeout(timeOutScope, timeoutMs, this);
    this.#controller = shared ?? new AbortController();
    this.#watched = shared ? shared.signal : external;
    if (this.#watched?.aborted) this.#onWatchedAbort();
    else this.#watched?.addEventListener('abort', this.#onWatchedAbort, { once: true });
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
    if (this.#controller.signal.aborted) {
      if (this.#callsBack()) onError(this.#reason());
    } else this.#onAbort = onError;
  }

  /** Aborts with JobTimeoutError now (also used when the deadline is found passed after a blocking run). */
  timeOut(): void {
    this.#abortWith(new JobTimeoutError(this.#attempt.timeoutMs));
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#watched?.removeEventListener('abort', this.#onWatchedAbort);
    this.#onAbort = undefined;
  }

  /** True the first time only: `settle` calls back once. */
  #callsBack(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    return true;
  }

  #abortWith(reason: unknown): void {
    const signal = this.#controller.signal;
    // A shared controller the caller aborted: the reason is the caller's, already on the signal.
    if (!signal.aborted) {
      this.#controller.abort(reason instanceof Error ? reason : new JobCancelledError(this.#attempt.jobId));
      // Aborting a shared controller ran #onWatchedAbort (this method) already, which called back.
      if (this.#watched === signal) return;
    } else if (this.#watched !== signal) return;
    const onAbort = this.#onAbort;
    if (onAbort && this.#callsBack()) onAbort(this.#reason());
  }

  /** Why the run was aborted, as an Error (a shared controller may have been aborted with anything). */
  #reason(): unknown {
    const { reason } = this.#controller.signal;
    return reason instanceof Error ? reason : new JobCancelledError(this.#attempt.jobId);
  }
}

function timeOutScope(scope: RunAbortScope): void {
  scope.timeOut();
}
