/** How long a cancel heard for a job this process does not (yet) run is remembered. */
const RECENT_CANCEL_TTL_MS = 60_000;
const RECENT_CANCELS_MAX = 10_000;

/**
 * Cancels heard for jobs this process did not run at the time. A cancel can be heard just before BullMQ
 * hands this process the job: remembered for a while, the job is stopped as it starts, without asking
 * Redis on every job. Bounded in time and count.
 */
export class RecentCancels {
  readonly #expiries = new Map<string, number>();

  remember(jobId: string): void {
    const now = Date.now();
    for (const [id, expiry] of this.#expiries) {
      if (expiry > now && this.#expiries.size < RECENT_CANCELS_MAX) break;
      this.#expiries.delete(id);
    }
    this.#expiries.set(jobId, now + RECENT_CANCEL_TTL_MS);
  }

  /** Whether a cancel for `jobId` was heard; forgets it. */
  take(jobId: string): boolean {
    return this.#expiries.delete(jobId);
  }
}
