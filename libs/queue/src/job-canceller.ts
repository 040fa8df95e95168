import type { JobView, Profile } from '@switchyard/contracts';
import { pollUntil, PollTimeoutError } from '@switchyard/polling';
import type { RedisConnection } from './redis-connection';
import { JobAlreadyFinishedError } from './errors';
import type { JobReader, JobScope } from './job-reader';
import type { CancellationRecord } from './job-view-mapper';
import type { SwitchyardKeys } from './switchyard-keys';

export interface CancelOutcome {
  view: JobView;
  /** False while an active job is still being stopped by its consumer. */
  final: boolean;
}

export interface JobCancellerOptions {
  /** How long a cancellation record (and a removed job's last view) is kept. */
  retentionSeconds: number;
  /** How long `cancel` waits for an active job to stop before answering. @defaultValue 5000 */
  settleTimeoutMs?: number;
  /** Told when a waiting or delayed job was taken out of its lane (it will never run), e.g. for quotas. */
  onRemoved?(job: {
    id: string;
    tenant: string;
    task: string;
    lane: string;
    profile: Profile;
  }): Promise<void>;
}

/**
 * Cancels a job wherever it is. BullMQ's own cancellation only reaches the worker in the same
 * process, so an active job is stopped through a Redis record (checked by a consumer before it
 * starts a job) plus a pub/sub message every consumer in every pod hears.
 */
export class JobCanceller {
  constructor(
    private readonly redis: RedisConnection,
    private readonly keys: SwitchyardKeys,
    private readonly reader: JobReader,
    private readonly options: JobCancellerOptions,
  ) {}

  /**
   * @throws JobNotFoundError for a job `scope` cannot see; JobAlreadyFinishedError for a job that
   *   finished (also when it finished while the cancel was on its way).
   */
  async cancel(id: string, scope: JobScope = {}): Promise<CancelOutcome> {
    const job = await this.reader.find(id, scope);
    if (!job) return { view: await this.reader.view(id, scope), final: true };
    const view = await this.reader.toView(job);
    if (view.state === 'cancelled') return { view, final: true };
    if (view.state === 'completed' || view.state === 'failed')
      throw new JobAlreadyFinishedError(id, view.state);
    const record: CancellationRecord = { cancelledAt: Date.now() };
    if (view.state !== 'active') {
      // The record holds the removed job's view before the job goes: a reader that finds the job gone
      // (an event stream told of its removal, say) finds its view in the record instead.
      const removedView: JobView = {
        ...view,
        state: 'cancelled',
        finishedAt: new Date(record.cancelledAt).toISOString(),
      };
      await this.save(id, { ...record, removed: removedView, job: { data: job.data, opts: job.opts } });
      const removed = await job.remove().then(
        () => true,
        () => false, // it became active meanwhile: the consumer stops it below
      );
      if (removed) {
        await this.options.onRemoved?.({
          id,
          tenant: view.tenant,
          task: view.task,
          lane: view.lane,
          profile: view.profile,
        });
        return { view: removedView, final: true };
      }
    }
    await this.save(id, record);
    await this.redis.publish(this.keys.cancelChannel(), id);
    return this.settle(id);
  }

  private async save(id: string, record: CancellationRecord): Promise<void> {
    await this.redis.set(
      this.keys.cancellation(id),
      JSON.stringify(record),
      'EX',
      Math.max(1, this.options.retentionSeconds),
    );
  }

  /** Waits for the job to stop; past the settle time, answers with where it stands (`final` false while active). */
  private async settle(id: string): Promise<CancelOutcome> {
    let last: JobView | undefined;
    try {
      return await pollUntil(
        async () => {
          const view = (last = await this.reader.view(id));
          // It completed before the abort reached it: the cancel did nothing, and its record goes.
          if (view.state === 'completed') {
            await this.redis.del(this.keys.cancellation(id));
            throw new JobAlreadyFinishedError(id, view.state);
          }
          return view.state === 'cancelled' || view.state === 'failed' ? { view, final: true } : undefined;
        },
        { timeoutMs: this.options.settleTimeoutMs ?? 5_000, what: `job ${id} to stop` },
      );
    } catch (error) {
      if (error instanceof PollTimeoutError && last) return { view: last, final: last.state !== 'active' };
      throw error;
    }
  }
}
