import { setTimeout as delay } from 'node:timers/promises';

/**
 * Waits at most `ms` for `work` to settle, either way: true if it did. Never rejects, and its timer does
 * not keep the process alive, so a shutdown step that hangs (Redis away) only costs its budget.
 */
export function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([
    work.then(
      () => true,
      () => true,
    ),
    delay(ms, false, { ref: false }),
  ]);
}
