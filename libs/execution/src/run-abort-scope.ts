import { JobCancelledError, JobTimeoutError, type AttemptContext } from '@switchyard/contracts';

/**
 * One run's abort signal: fires with JobTimeoutError when `timeoutMs` passes, or with the caller's
 * reason when `external` aborts (a non-Error reason becomes JobCancelledError). `dispose()` once the
 * run has settled. Made once per job, so it holds one controller, one timer and one listener; `race`
 * adds one promise and no listener (the scope is the only one that aborts its controller).
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
  /** The rejection of the promise `race` returned, called when the scope aborts. */
  #rejectRace?: (reason: unknown) => void;
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
   * Settles as `running` does, or rejects with the abort reason as soon as the scope aborts, whichever
   * comes first. A run that goes on after the abort is left to end on its own; its late outcome,
   * rejection included, is dropped (never unhandled). Once per scope.
   */
  race<T>(running: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      running.then(resolve, reject);
      const signal = this.#controller.signal;
      if (signal.aborted) reject(signal.reason);
      else this.#rejectRace = reject;
    });
  }

  /** Aborts with JobTimeoutError now (also used when the deadline is found passed after a blocking run). */
  timeOut(): void {
    this.#abortWith(new JobTimeoutError(this.#attempt.timeoutMs));
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#external?.removeEventListener('abort', this.#onExternalAbort);
    this.#rejectRace = undefined;
  }

  #abortWith(reason: unknown): void {
    if (this.#controller.signal.aborted) return;
    this.#controller.abort(reason instanceof Error ? reason : new JobCancelledError(this.#attempt.jobId));
    this.#rejectRace?.(this.#controller.signal.reason);
  }
}
