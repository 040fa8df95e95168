import { setTimeout as delay } from 'node:timers/promises';

export class PollTimeoutError extends Error {
  override readonly name = 'PollTimeoutError';
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }
}

export interface PollOptions {
  /** Gives up after this long (the probe then runs no more; one already running is awaited). */
  timeoutMs: number;
  /** Pause between probes. @defaultValue 50 */
  intervalMs?: number;
  /** What is awaited, for the timeout's message, e.g. `job 42 to finish`. @defaultValue 'a condition' */
  what?: string;
  /**
   * Builds the error thrown past the deadline, for callers whose error names what the probe last saw
   * (a job's state, a Deployment's ready replicas) or has a type of its own. @defaultValue a PollTimeoutError
   */
  onTimeout?: () => Error;
  /** Stops polling: rejects with the signal's reason, between probes or during the pause. */
  signal?: AbortSignal;
}

/**
 * Probes until it returns a value other than `undefined` (or `false`), and returns that value. The one
 * poll-until-deadline loop of the project: every "wait until" goes through here. An error the probe
 * throws ends the wait (a process that exited is not going to become ready).
 * @throws PollTimeoutError (or `onTimeout`'s error) past the deadline; the signal's reason when aborted.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs, intervalMs = 50, what = 'a condition', onTimeout, signal }: PollOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) throw onTimeout?.() ?? new PollTimeoutError(what, timeoutMs);
    await delay(intervalMs, undefined, { signal }).catch((error: unknown) => {
      signal?.throwIfAborted();
      throw error;
    });
  }
}
