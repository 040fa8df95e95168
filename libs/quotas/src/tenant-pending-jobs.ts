import type { Cluster, Redis } from 'ioredis';
import { checkInteger, keySegment } from './option-checks';
import { QuotaExceededError } from './errors';
import { execOrThrow } from './redis-replies';
import { RESERVE_LUA, REMOVE_UNCHANGED_LUA } from './tenant-pending-scripts';

/**
 * Tells, for each job id in order, whether the job is finished (completed or failed for good) or no
 * longer exists. Implemented by the api over BullMQ; must not throw for an unknown id.
 */
export type JobsFinished = (jobIds: readonly string[]) => Promise<boolean[]>;

export interface TenantPendingJobsOptions {
  redis: Redis | Cluster;
  /** QUEUE_PREFIX: keys live under `${prefix}:_switchyard:`. */
  prefix: string;
  /** Most jobs one tenant may have not yet finished (TENANT_MAX_PENDING_JOBS). */
  maxPendingJobs: number;
  /**
   * Lets a tenant at its cap drop members whose job finished without being removed (a consumer
   * that crashed in between). @defaultValue none: only members older than `maxAgeMs` are dropped
   */
  isFinished?: JobsFinished;
  /**
   * A member older than this is dropped whatever its job's state: the backstop for drift nothing
   * else catches. Keep it above JOB_DELAY_MAX_MS plus the longest a job may wait and run.
   * @defaultValue 691200000 (8 days)
   */
  maxAgeMs?: number;
  /** `retryAfterSeconds` of a QuotaExceededError. @defaultValue 5 */
  retryAfterSeconds?: number;
  /** Most members one sweep asks `isFinished` about. @defaultValue 200 */
  sweepBatchSize?: number;
  /** At most one sweep per tenant per this many ms, across every replica. @defaultValue 1000 */
  sweepIntervalMs?: number;
  /**
   * A member younger than this is never swept: its job may still be being written (a reservation is
   * made just before the enqueue). @defaultValue 60000
   */
  sweepGraceMs?: number;
}

interface ReserveCommand {
  switchyardReservePending(key: string, ...args: (string | number)[]): Promise<[number, number]>;
  switchyardRemoveUnchanged(key: string, ...args: (string | number)[]): Promise<number>;
}

/**
 * Counts each tenant's jobs not yet finished, exactly and across api replicas: one sorted set per
 * tenant of job ids scored by reservation time.
 *
 * Why a reservation before the enqueue instead of a count written in the enqueue's own MULTI: a
 * MULTI cannot be made conditional on a count, so a check outside it lets every replica (and every
 * concurrent batch of up to 1,000 jobs) pass the cap together. `reserve` checks and adds in one Lua
 * step; the price is a member without a job when the enqueue then fails, which the caller removes,
 * or, if the process died in between, which the sweep removes once `sweepGraceMs` has passed.
 *
 * Members leave when a consumer sees the job finish for good (`remove`), when the job is cancelled
 * (`remove`), and, for drift, through the sweep run when a tenant is at its cap.
 */
export class TenantPendingJobs {
  private readonly redis: (Redis | Cluster) & ReserveCommand;
  private readonly maxPendingJobs: number;
  private readonly maxAgeMs: number;
  private readonly retryAfterSeconds: number;
  private readonly sweepBatchSize: number;
  private readonly sweepIntervalMs: number;
  private readonly sweepGraceMs: number;

  constructor(private readonly options: TenantPendingJobsOptions) {
    this.maxPendingJobs = checkInteger('maxPendingJobs', options.maxPendingJobs, 1);
    this.maxAgeMs = checkInteger('maxAgeMs', options.maxAgeMs ?? 691_200_000, 1);
    this.retryAfterSeconds = checkInteger('retryAfterSeconds', options.retryAfterSeconds ?? 5, 1);
    this.sweepBatchSize = checkInteger('sweepBatchSize', options.sweepBatchSize ?? 200, 1);
    this.sweepIntervalMs = checkInteger('sweepIntervalMs', options.sweepIntervalMs ?? 1_000, 1);
    this.sweepGraceMs = checkInteger('sweepGraceMs', options.sweepGraceMs ?? 60_000, 0);
    options.redis.defineCommand('switchyardReservePending', { numberOfKeys: 1, lua: RESERVE_LUA });
    options.redis.defineCommand('switchyardRemoveUnchanged', { numberOfKeys: 1, lua: REMOVE_UNCHANGED_LUA });
    this.redis = options.redis as (Redis | Cluster) & ReserveCommand;
  }

  /**
   * Counts `jobIds` as pending for `tenant` if that keeps it within `maxPendingJobs`, atomically
   * across replicas. Call it after validating a request and just before enqueueing; if the enqueue
   * fails, `remove` the same ids. At the cap it first sweeps (bounded) for finished jobs.
   * @throws QuotaExceededError when the jobs do not fit (nothing is counted then).
   */
  async reserve(tenant: string, jobIds: readonly string[], now = Date.now()): Promise<void> {
    if (jobIds.length === 0) return;
    let [admitted, pending] = await this.tryReserve(tenant, jobIds, now);
    if (!admitted && jobIds.length <= this.maxPendingJobs && (await this.sweep(tenant, now)) > 0) {
      [admitted, pending] = await this.tryReserve(tenant, jobIds, now);
    }
    if (!admitted) {
      throw new QuotaExceededError(
        tenant,
        pending,
        jobIds.length,
        this.maxPendingJobs,
        this.retryAfterSeconds,
      );
    }
  }

  /** Stops counting jobs: they finished for good, were cancelled, or their enqueue failed. */
  async remove(tenant: string, jobIds: string | readonly string[]): Promise<number> {
    const ids = typeof jobIds === 'string' ? [jobIds] : jobIds;
    if (ids.length === 0) return 0;
    return this.redis.zrem(this.pendingKey(tenant), ...ids);
  }

  /** The tenant's jobs not yet finished (members past `maxAgeMs` excluded). */
  async count(tenant: string, now = Date.now()): Promise<number> {
    return this.redis.zcount(this.pendingKey(tenant), now - this.maxAgeMs, '+inf');
  }

  /**
   * Removes members whose job is finished or gone, checking at most `sweepBatchSize` members older
   * than `sweepGraceMs`, oldest first, each sweep continuing where the last one stopped (so
   * long-delayed jobs at the head cannot hide drift behind them). Runs at most once per tenant per
   * `sweepIntervalMs` across replicas; `reserve` calls it when a tenant is at its cap.
   * @returns how many members were removed.
   */
  async sweep(tenant: string, now = Date.now()): Promise<number> {
    const isFinished = this.options.isFinished;
    if (!isFinished) return 0;
    const key = this.pendingKey(tenant);
    const [locked, storedOffset] = await execOrThrow(
      this.redis
        .multi()
        .set(`${key}:sweep-lock`, '1', 'PX', this.sweepIntervalMs, 'NX')
        .get(`${key}:sweep-offset`),
    );
    if (locked !== 'OK') return 0;
    const offset = Number(storedOffset) || 0;
    const window = toMembers(
      await this.redis.zrange(key, offset, String(offset + this.sweepBatchSize - 1), 'WITHSCORES'),
    );
    const eligible = window.filter((member) => member.score <= now - this.sweepGraceMs);
    let removed = 0;
    if (eligible.length > 0) {
      const finished = await isFinished(eligible.map((member) => member.id));
      const gone = eligible.filter((_, index) => finished[index] === true);
      if (gone.length > 0) {
        removed = await this.redis.switchyardRemoveUnchanged(
          key,
          ...gone.flatMap((member) => [member.id, member.score]),
        );
      }
    }
    // Past the end, or reached members too young to sweep: start from the oldest next time.
    const wrapped = window.length < this.sweepBatchSize || eligible.length < window.length;
    const nextOffset = wrapped ? 0 : offset + eligible.length - removed;
    await this.redis.set(`${key}:sweep-offset`, String(nextOffset), 'PX', 86_400_000);
    return removed;
  }

  private async tryReserve(
    tenant: string,
    jobIds: readonly string[],
    now: number,
  ): Promise<[boolean, number]> {
    const [admitted, pending] = await this.redis.switchyardReservePending(
      this.pendingKey(tenant),
      this.maxPendingJobs,
      now,
      now - this.maxAgeMs,
      ...jobIds,
    );
    return [admitted === 1, pending];
  }

  private pendingKey(tenant: string): string {
    // The tenant as a hash tag: its sweep lock and offset (`<key>:sweep-*`) share its Redis Cluster slot.
    return `${this.options.prefix}:_switchyard:tenant-pending:{${keySegment(tenant)}}`;
  }
}

function toMembers(flat: string[]): { id: string; score: number }[] {
  const members = [];
  for (let index = 0; index + 1 < flat.length; index += 2) {
    members.push({ id: flat[index], score: Number(flat[index + 1]) });
  }
  return members;
}
