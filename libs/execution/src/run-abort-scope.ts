import { JobCancelledError, JobTimeoutError } from '@switchyard/contracts';
import type { ExecutionRequest } from './executor';

/**
 * One run's abort signal: fires with JobTimeoutError when `timeoutMs` passes, or with the caller's
 * reason when the request's signal aborts (a non-Error reason becomes JobCancelledError).
 * `dispose()` once the run has settled.
 */
export class RunAbortScope {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #external?: AbortSignal;
  readonly #onExternalAbort = () => this.#abortWith(this.#external?.reason);
  /** Epoch ms past which the run has timed out, even if the timer could not fire (a blocked loop). */
  readonly deadline: number;
  /** Rejects with the abort reason; never resolves. Handled, so it never surfaces as unhandled. */
  readonly aborted: Promise<never>;

  constructor(private readonly request: Pick<ExecutionRequest, 'jobId' | 'timeoutMs' | 'signal'>) {
    const { timeoutMs, signal } = request;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new RangeError(`request.timeoutMs must be a positive integer of milliseconds, got ${timeoutMs}`);
    }
    this.deadline = Date.now() + timeoutMs;
    this.aborted = new Promise<never>((_, reject) => {
      this.#controller.signal.addEventListener('abort', () => reject(this.#controller.signal.reason), {
        once: true,
      });
    });
    this.aborted.catch(() => undefined);
    this.#timer = setTimeout(() => this.timeOut(), timeoutMs);
    this.#external = signal;
    if (signal?.aborted) this.#onExternalAbort();
    else signal?.addEventListener('abort', this.#onExternalAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Aborts with JobTimeoutError now (also used when the deadline is found passed after a blocking run). */
  timeOut(): void {
    this.#abortWith(new JobTimeoutError(this.request.timeoutMs));
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#external?.removeEventListener('abort', this.#onExternalAbort);
  }

  #abortWith(reason: unknown): void {
    if (this.#controller.signal.aborted) return;
    this.#controller.abort(reason instanceof Error ? reason : new JobCancelledError(this.request.jobId));
  }
}
