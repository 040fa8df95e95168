/**
 * Redis keys Switchyard writes beside BullMQ's. Lane names start with a letter,
 * so the `_switchyard` segment can never collide with a queue's keys.
 */
export class SwitchyardKeys {
  constructor(readonly prefix: string) {}

  /** Set when a client cancels a job; holds the cancellation record (and the job, once removed). */
  cancellation(jobId: string): string {
    return `${this.prefix}:_switchyard:cancel:${jobId}`;
  }

  /** Pub/sub channel telling every consumer, in any pod, to abort a job it runs. */
  cancelChannel(): string {
    return `${this.prefix}:_switchyard:cancel`;
  }

  /** A tenant's Idempotency-Key record. Tenant names hold no `:`, so tenants never share a key. */
  idempotency(tenant: string, key: string): string {
    return `${this.prefix}:_switchyard:idempotency:${tenant}:${key}`;
  }

  /** Held for a moment while a job is being retried, so two retries of one job cannot both run. */
  retryLock(jobId: string): string {
    return `${this.prefix}:_switchyard:retry:${jobId}`;
  }
}
