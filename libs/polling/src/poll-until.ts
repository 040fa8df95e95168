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
  /** Gives up with PollTimeoutError after this long. */
  timeoutMs: number;
  /** Pause between probes. @defaultValue 50 */
  intervalMs?: number;
  /** What is awaited, for the timeout's message, e.g. `job 42 to finish`. @defaultValue 'a condition' */
  what?: string;
  /** Stops polling (rejects with the signal's reason). */
  signal?: AbortSignal;
}

/**
 * Probes until it returns a value other than `undefined` (or `false`), and returns that value. The one
 * poll-until-deadline loop of the project: every "wait until" goes through here.
 * @throws PollTimeoutError past the deadline; the signal's reason when aborted.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs, intervalMs = 50, what = 'a condition', signal }: PollOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) throw new PollTimeoutError(what, timeoutMs);
    await delay(intervalMs, undefined, { signal });
  }
}
