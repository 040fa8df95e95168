import { createHash, randomUUID } from 'node:crypto';
import { ProblemError, type JobData } from '@switchyard/contracts';
import type { Redis } from 'ioredis';
import type { JobSubmissionValidator, ValidatedSubmission } from './job-submission';
import { invalidRequest } from './job-submission';
import type { LaneQueues } from './lane-queues';
import type { SwitchyardKeys } from './switchyard-keys';

/** W3C trace context of the submitting request, stored with the job. */
export type TraceCarrier = () => { traceparent?: string; tracestate?: string };

/**
 * Opens one trace per job of a batch (`startBatchJobTraces` from `@switchyard/telemetry`): the
 * carriers, in the jobs' order, become each job's stored context and BullMQ telemetry metadata.
 */
export type BatchTraces = (jobs: { id: string; task: string; lane: string; profile: string }[]) => {
  carriers: { traceparent?: string; tracestate?: string }[];
  end(error?: unknown): void;
};

export interface EnqueuedJob {
  id: string;
  data: JobData;
  /** True when an Idempotency-Key matched an earlier request: nothing new was enqueued. */
  replayed: boolean;
  /** Enqueued with a delay: it starts out `delayed`, not `waiting`. */
  delayed: boolean;
}

export interface JobProducerOptions {
  queues: LaneQueues;
  redis: Redis;
  keys: SwitchyardKeys;
  validator: JobSubmissionValidator;
  traceCarrier?: TraceCarrier;
  /** Gives each job of a batch its own trace. @defaultValue batch jobs share the request's trace */
  batchTraces?: BatchTraces;
  /** Told about every newly enqueued job (not about idempotent replays), e.g. to count it. */
  onEnqueued?(job: EnqueuedJob): void;
  /** How long an Idempotency-Key is remembered. @defaultValue 86400 */
  idempotencyTtlSeconds?: number;
}

interface IdempotencyRecord {
  jobId: string;
  lane: string;
  fingerprint: string;
}

/** Validates and enqueues jobs; nothing is enqueued for a rejected request. */
export class JobProducer {
  private readonly idempotencyTtlSeconds: number;

  constructor(private readonly options: JobProducerOptions) {
    this.idempotencyTtlSeconds = options.idempotencyTtlSeconds ?? 86_400;
  }

  /** @throws ProblemError 422 for an invalid request, 409 when the Idempotency-Key was used for another request. */
  async enqueue(body: unknown, idempotencyKey?: string): Promise<EnqueuedJob> {
    const checked = this.options.validator.check(body);
    if (!checked.ok) throw invalidRequest(checked.errors);
    const submission = this.withTraceContext(checked.submission);
    const id = randomUUID();
    if (idempotencyKey !== undefined) {
      const earlier = await this.claimIdempotencyKey(idempotencyKey, id, submission);
      if (earlier) return { id: earlier.jobId, data: submission.data, replayed: true, delayed: false };
      submission.data.idempotencyKey = idempotencyKey;
    }
    try {
      await this.options.queues
        .get(submission.data.routing.lane)
        .add(submission.data.task, submission.data, { ...submission.options, jobId: id });
    } catch (error) {
      if (idempotencyKey !== undefined)
        await this.options.redis.del(this.options.keys.idempotency(idempotencyKey));
      throw error;
    }
    const enqueued = {
      id,
      data: submission.data,
      replayed: false,
      delayed: Boolean(submission.options.delay),
    };
    this.options.onEnqueued?.(enqueued);
    return enqueued;
  }

  /** All-or-nothing: every invalid item is reported by index and nothing is enqueued. */
  async enqueueBatch(items: unknown[]): Promise<EnqueuedJob[]> {
    const submissions: ValidatedSubmission[] = [];
    const errors = [];
    for (const [index, item] of items.entries()) {
      const checked = this.options.validator.check(item, index);
      if (checked.ok) submissions.push(this.withTraceContext(checked.submission));
      else errors.push(...checked.errors);
    }
    if (errors.length > 0) throw invalidRequest(errors, `the batch (${items.length} jobs)`);
    const ids = submissions.map(() => randomUUID());
    const traces = this.options.batchTraces?.(
      submissions.map(({ data }, index) => ({
        id: ids[index],
        task: data.task,
        lane: data.routing.lane,
        profile: data.routing.profile,
      })),
    );
    const jobs = submissions.map((submission, index) => {
      const id = ids[index];
      const carrier = traces?.carriers[index];
      if (!carrier?.traceparent)
        return { id, data: submission.data, opts: { ...submission.options, jobId: id } };
      const { traceparent, tracestate } = carrier;
      return {
        id,
        data: { ...submission.data, traceparent, tracestate },
        // BullMQ parents the job's consumer span on this instead of on the batch's publish span.
        opts: { ...submission.options, jobId: id, telemetry: { metadata: JSON.stringify(carrier) } },
      };
    });
    const byLane = Map.groupBy(jobs, (job) => job.data.routing.lane);
    try {
      await Promise.all(
        [...byLane].map(([lane, laneJobs]) =>
          this.options.queues
            .get(lane)
            .addBulk(laneJobs.map(({ data, opts }) => ({ name: data.task, data, opts }))),
        ),
      );
    } catch (error) {
      traces?.end(error);
      throw error;
    }
    traces?.end();
    return jobs.map(({ id, data, opts }) => {
      const job = { id, data, replayed: false, delayed: Boolean(opts.delay) };
      this.options.onEnqueued?.(job);
      return job;
    });
  }

  private withTraceContext(submission: ValidatedSubmission): ValidatedSubmission {
    const carrier = this.options.traceCarrier?.();
    if (carrier?.traceparent) {
      submission.data.traceparent = carrier.traceparent;
      if (carrier.tracestate) submission.data.tracestate = carrier.tracestate;
    }
    return submission;
  }

  /** @returns the earlier job when the key was already used for the same request. */
  private async claimIdempotencyKey(
    key: string,
    jobId: string,
    submission: ValidatedSubmission,
  ): Promise<IdempotencyRecord | undefined> {
    if (key.length === 0 || key.length > 255) {
      throw new ProblemError(
        400,
        'Invalid Idempotency-Key',
        'the Idempotency-Key header must be 1 to 255 characters long',
      );
    }
    const fingerprint = createHash('sha256').update(JSON.stringify(submission.request)).digest('hex');
    const record: IdempotencyRecord = { jobId, lane: submission.data.routing.lane, fingerprint };
    const redisKey = this.options.keys.idempotency(key);
    const claimed = await this.options.redis.set(
      redisKey,
      JSON.stringify(record),
      'EX',
      this.idempotencyTtlSeconds,
      'NX',
    );
    if (claimed === 'OK') return undefined;
    const earlier = JSON.parse(
      (await this.options.redis.get(redisKey)) ?? 'null',
    ) as IdempotencyRecord | null;
    if (!earlier) return this.claimIdempotencyKey(key, jobId, submission);
    if (earlier.fingerprint !== fingerprint) {
      throw new ProblemError(
        409,
        'Idempotency-Key reused',
        `the Idempotency-Key "${key}" was already used for a different request (job ${earlier.jobId}); use a new key for a new job`,
        { jobId: earlier.jobId },
      );
    }
    return earlier;
  }
}
