import { randomUUID } from 'node:crypto';
import type { JobData, JobView } from '@switchyard/contracts';
import type { JobsOptions } from 'bullmq';
import type { RedisConnection } from './redis-connection';
import { JobNotRetryableError } from './errors';
import type { JobIndex } from './job-index';
import type { CurrentTraceContext, EnqueueGuard } from './job-producer';
import type { JobReader, JobScope } from './job-reader';
import type { LaneQueues } from './lane-queues';
import type { SwitchyardKeys } from './switchyard-keys';

export interface JobRetrierOptions {
  queues: LaneQueues;
  redis: RedisConnection;
  keys: SwitchyardKeys;
  reader: JobReader;
  /** The submission quotas: a retried job counts as pending again. @defaultValue none */
  guard?: EnqueueGuard;
  /** Lists a cancelled job's retry under its tenant and task. @defaultValue not indexed */
  index?: JobIndex;
  /** The retry request's trace context, stored with a cancelled job's retry. @defaultValue none */
  traceContext?: CurrentTraceContext;
  /** Told about a cancelled job's retry (a new job), e.g. to count it as submitted. */
  onEnqueued?(job: { id: string; data: JobData }): void;
}

export interface RetriedJob {
  /** The job that runs again: the same id for a failed job, a new one for a cancelled job. */
  id: string;
  /** The job the retry was asked for. */
  retryOf: string;
  data: JobData;
}

/** How long a retry holds its job: longer than a retry takes, short enough not to block a later one. */
const RETRY_LOCK_SECONDS = 10;

/**
 * Retries failed and cancelled jobs, keeping their history.
 * - A failed job (timed-out included) runs again under its id (BullMQ's `job.retry`): its attempt
 *   count goes on from where it stopped, so its view and its spans show the new attempt as the next one.
 * - A cancelled job stays cancelled; its retry is a new job with the same task, tenant, payload, lane
 *   and options, in a new trace. Re-running the same id would race the cancel that consumers remember
 *   for a minute (and a job cancelled while waiting no longer exists in its lane).
 */
export class JobRetrier {
  constructor(private readonly options: JobRetrierOptions) {}

  /**
   * @throws JobNotFoundError for a job `scope` cannot see; JobNotRetryableError for a job neither failed
   *   nor cancelled, or one being retried by another request; a quota's BackpressureError.
   */
  async retry(id: string, scope: JobScope = {}): Promise<RetriedJob> {
    const view = await this.options.reader.view(id, scope);
    if (view.state !== 'failed' && view.state !== 'cancelled') throw new JobNotRetryableError(id, view.state);
    const lock = this.options.keys.retryLock(id);
    const locked = await this.options.redis.set(lock, '1', 'EX', RETRY_LOCK_SECONDS, 'NX');
    if (locked !== 'OK') throw new JobNotRetryableError(id, view.state, 'another request is retrying it');
    try {
      return view.state === 'failed' ? await this.rerun(id, view) : await this.copy(id, view);
    } finally {
      await this.options.redis.del(lock).catch(() => undefined);
    }
  }

  private async rerun(id: string, view: JobView): Promise<RetriedJob> {
    const job = await this.options.reader.find(id);
    if (!job) throw new JobNotRetryableError(id, 'gone', 'its retention removed it meanwhile');
    const release = await this.reserve(view.tenant, id, job.data);
    try {
      await job.retry('failed');
    } catch (error) {
      await release();
      const now = await this.options.reader.view(id).catch(() => undefined);
      if (now && now.state !== 'failed') throw new JobNotRetryableError(id, now.state);
      throw error;
    }
    return { id, retryOf: id, data: job.data };
  }

  private async copy(id: string, view: JobView): Promise<RetriedJob> {
    const job = await this.options.reader.find(id);
    const original = job
      ? { data: job.data, opts: job.opts }
      : (await this.options.reader.cancellation(id))?.job;
    if (!original) {
      throw new JobNotRetryableError(
        id,
        view.state,
        'it was cancelled before this api kept what a retry needs',
      );
    }
    const newId = randomUUID();
    const { task, tenant, payload, routing, timeoutMs } = original.data;
    const data: JobData = { task, tenant, payload, routing, timeoutMs, ...this.options.traceContext?.() };
    const { priority, attempts, backoff, removeOnComplete, removeOnFail } = original.opts;
    const opts: JobsOptions & { jobId: string } = {
      priority,
      attempts,
      backoff,
      removeOnComplete,
      removeOnFail,
      jobId: newId,
    };
    const release = await this.reserve(view.tenant, newId, data);
    try {
      await this.options.queues.get(routing.lane).add(task, data, opts);
    } catch (error) {
      await release();
      throw error;
    }
    const index = this.options.index;
    if (index) {
      // The job is written: a failed index write leaves it unlisted (still readable by id), not lost.
      const multi = this.options.redis.multi();
      const now = Date.now();
      index.add(
        multi,
        [{ jobId: newId, lane: routing.lane, tenant: view.tenant, task, createdAt: now }],
        now,
      );
      await multi.exec().catch(() => undefined);
    }
    this.options.onEnqueued?.({ id: newId, data });
    return { id: newId, retryOf: id, data };
  }

  private async reserve(tenant: string, id: string, data: JobData): Promise<() => Promise<void>> {
    const guard = this.options.guard;
    if (!guard) return async () => undefined;
    return guard.reserve(tenant, [{ id, lane: data.routing.lane, task: data.task }]);
  }
}
