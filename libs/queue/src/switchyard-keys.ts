/**
 * The BullMQ prefix of a lane's queue: QUEUE_PREFIX, then the lane as a Redis Cluster hash tag, so
 * every key of the lane (`switchyard:{io}:io:wait`…) sits in one slot, as BullMQ requires on a
 * cluster, and different lanes spread over its shards. A standalone Redis ignores the braces.
 */
export function laneQueuePrefix(prefix: string, lane: string): string {
  return `${prefix}:{${lane}}`;
}

/**
 * The lane's jobs a client cancelled while they ran (a sorted set, scored by when), written by the
 * consumer that stopped them. BullMQ keeps such a job in its `failed` set (it ended by an
 * UnrecoverableError), so the counts subtract the members still there from `failed`. A suffix BullMQ
 * never uses, beside the queue's own keys (the same hash slot as the lane's).
 */
export function cancelledJobsKey(prefix: string, lane: string): string {
  return `${laneQueuePrefix(prefix, lane)}:${lane}:switchyard-cancelled`;
}

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
