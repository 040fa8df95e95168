import { JobCancelledError, JobTimeoutError, type AttemptContext } from '@switchyard/contracts';

/**
 * One run's abort signal: fires with JobTimeoutError when `timeoutMs` passes, or with the caller's
 * reason when `external` aborts (a non-Error reason becomes JobCancelledError). `dispose()` once the
 * run has settled. Made once per job, so it holds one controller, one timer and one listener, and makes
 * the `aborted` promise only for the caller that races it.
 */
export class RunAbortScope {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #attempt: Pick<AttemptContext, 'jobId' | 'timeoutMs'>;
  readonly #external?: AbortSignal;
  readonly #onExternalAbort = () => this.#abortWith(this.#external?.reason);
  #aborted?: Promise<never>;
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

  /** Rejects with the abort reason; never resolves. Handled, so it never surfaces as unhandled. */
  get aborted(): Promise<never> {
    this.#aborted ??= new Promise<never>((_, reject) => {
      const signal = this.#controller.signal;
      if (signal.aborted) return reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    this.#aborted.catch(() => undefined);
    return this.#aborted;
  }

  /** Aborts with JobTimeoutError now (also used when the deadline is found passed after a blocking run). */
  timeOut(): void {
    this.#abortWith(new JobTimeoutError(this.#attempt.timeoutMs));
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#external?.removeEventListener('abort', this.#onExternalAbort);
  }

  #abortWith(reason: unknown): void {
    if (this.#controller.signal.aborted) return;
    this.#controller.abort(reason instanceof Error ? reason : new JobCancelledError(this.#attempt.jobId));
  }
}
