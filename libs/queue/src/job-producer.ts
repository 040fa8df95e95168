import { createHash, randomUUID } from 'node:crypto';
import type { FieldError, JobData } from '@switchyard/contracts';
import type { RedisConnection } from './redis-connection';
import { canonicalJson } from './canonical-json';
import {
  IdempotencyKeyBusyError,
  IdempotencyKeyReusedError,
  InvalidIdempotencyKeyError,
  InvalidJobRequestError,
} from './errors';
import type { JobIndex, JobIndexEntry } from './job-index';
import type { JobSubmissionValidator, Submitter, ValidatedSubmission } from './job-submission';
import type { LaneJobInsert, LaneQueues } from './lane-queues';
import type { MeasuredRouting } from './measured-routing';
import type { SwitchyardKeys } from './switchyard-keys';

/** W3C trace context, as a job stores it. */
type JobTraceContext = Pick<JobData, 'traceparent' | 'tracestate'>;

/** Reads the W3C trace context of the submitting request (`injectTraceContext` from `@switchyard/telemetry`). */
export type CurrentTraceContext = () => JobTraceContext;

/**
 * Opens one trace per job of a batch (`startBatchJobTraces` from `@switchyard/telemetry`): the
 * carriers, in the jobs' order, become each job's stored context and BullMQ telemetry metadata.
 */
export type BatchTraces = (jobs: { id: string; task: string; lane: string; profile: string }[]) => {
  carriers: JobTraceContext[];
  /** Runs the batch's write inside its `publish` span, which links to each job's trace. */
  publish<T>(send: () => Promise<T>): Promise<T>;
  end(error?: unknown): void;
};

/** Admission control around a write: quotas reserve room first and give it back if the write fails. */
export interface EnqueueGuard {
  /** @throws a quota error when there is no room; @returns how to undo the reservation. */
  reserve(
    tenant: string,
    jobs: readonly { id: string; lane: string; task: string }[],
  ): Promise<() => Promise<void>>;
}

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
  redis: RedisConnection;
  keys: SwitchyardKeys;
  validator: JobSubmissionValidator;
  /** Stored with each job, so its attempts join the request's trace. @defaultValue jobs carry no trace context */
  traceContext?: CurrentTraceContext;
  /** Gives each job of a batch its own trace. @defaultValue batch jobs share the request's trace */
  batchTraces?: BatchTraces;
  /** Routes `profile: "auto"` jobs by their task's measured CPU ratio. @defaultValue auto jobs keep the task's default profile */
  measuredRouting?: MeasuredRouting;
  /** Quotas checked before anything is written. @defaultValue none */
  guard?: EnqueueGuard;
  /** Lists each job under its tenant and task (written with the jobs). @defaultValue not indexed */
  index?: JobIndex;
  /** Told about every newly enqueued job (not about idempotent replays), e.g. to count it. */
  onEnqueued?(job: EnqueuedJob): void;
  /** How long an Idempotency-Key is remembered. @defaultValue 86400 */
  idempotencyTtlSeconds?: number;
}

interface IdempotencyRecord {
  jobIds: string[];
  fingerprint: string;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Validates and enqueues jobs; nothing is enqueued for a rejected request. */
export class JobProducer {
  private readonly idempotencyTtlSeconds: number;

  constructor(private readonly options: JobProducerOptions) {
    this.idempotencyTtlSeconds = options.idempotencyTtlSeconds ?? 86_400;
  }

  /**
   * @throws InvalidJobRequestError listing every mistake; InvalidIdempotencyKeyError,
   *   IdempotencyKeyReusedError or IdempotencyKeyBusyError for the key; a quota's BackpressureError.
   */
  async enqueue(body: unknown, submitter: Submitter, idempotencyKey?: string): Promise<EnqueuedJob> {
    const checked = this.options.validator.check(body, submitter);
    if (!checked.ok) throw new InvalidJobRequestError(checked.errors);
    await this.options.measuredRouting?.route([checked.submission]);
    const [job] = await this.write(
      [this.withTraceContext(checked.submission)],
      submitter,
      idempotencyKey,
      'job',
      false,
    );
    return job;
  }

  /**
   * All-or-nothing across lanes: every invalid item is reported by index and nothing is enqueued.
   * @throws as `enqueue` does.
   */
  async enqueueBatch(
    items: unknown[],
    submitter: Submitter,
    idempotencyKey?: string,
  ): Promise<EnqueuedJob[]> {
    const submissions: ValidatedSubmission[] = [];
    const errors: FieldError[] = [];
    for (const [index, item] of items.entries()) {
      const checked = this.options.validator.check(item, submitter, index);
      if (checked.ok) submissions.push(this.withTraceContext(checked.submission));
      else errors.push(...checked.errors);
    }
    if (errors.length > 0) throw new InvalidJobRequestError(errors, `the batch (${items.length} jobs)`);
    await this.options.measuredRouting?.route(submissions);
    return this.write(submissions, submitter, idempotencyKey, 'batch', true);
  }

  private async write(
    submissions: ValidatedSubmission[],
    submitter: Submitter,
    idempotencyKey: string | undefined,
    kind: 'job' | 'batch',
    ownTraces: boolean,
  ): Promise<EnqueuedJob[]> {
    const ids = submissions.map(() => randomUUID());
    if (idempotencyKey !== undefined) {
      const earlier = await this.claimIdempotencyKey(
        submitter.tenant,
        idempotencyKey,
        kind,
        ids,
        submissions,
      );
      if (earlier) {
        return earlier.jobIds.map((id, index) => ({
          id,
          data: submissions[index]?.data ?? submissions[0].data,
          replayed: true,
          delayed: false,
        }));
      }
      for (const submission of submissions) submission.data.idempotencyKey = idempotencyKey;
    }
    const release = await this.reserve(submitter, ids, submissions, idempotencyKey);
    const inserts = this.inserts(ids, submissions, ownTraces);
    const now = Date.now();
    const entries: JobIndexEntry[] = inserts.map(({ lane, data, opts }) => ({
      jobId: opts.jobId,
      lane,
      tenant: submitter.tenant,
      task: data.task,
      createdAt: now,
    }));
    const index = this.options.index;
    try {
      if (inserts.length === 1) {
        // One job: BullMQ's own add, which opens the `publish <lane>` span, then its index entry.
        const [{ lane, data, opts }] = inserts;
        await this.options.queues.get(lane).add(data.task, data, opts);
        if (index) {
          // The job is written: a failed index write leaves it unlisted (still readable by id), not lost.
          await index.write(entries, now).catch(() => undefined);
        }
      } else {
        const send = () =>
          this.options.queues.addAtomically(inserts, index && ((multi) => index.add(multi, entries, now)));
        await (inserts.traces ? inserts.traces.publish(send) : send());
      }
    } catch (error) {
      inserts.traces?.end(error);
      await release();
      throw error;
    }
    inserts.traces?.end();
    return inserts.map(({ data, opts }) => {
      const job = { id: opts.jobId, data, replayed: false, delayed: Boolean(opts.delay) };
      this.options.onEnqueued?.(job);
      return job;
    });
  }

  /** Quota room for the jobs; a refused reservation gives the Idempotency-Key back too. */
  private async reserve(
    submitter: Submitter,
    ids: string[],
    submissions: ValidatedSubmission[],
    idempotencyKey: string | undefined,
  ): Promise<() => Promise<void>> {
    const forgetKey = async () => {
      if (idempotencyKey !== undefined)
        await this.options.redis.del(this.options.keys.idempotency(submitter.tenant, idempotencyKey));
    };
    let undo: () => Promise<void> = async () => undefined;
    try {
      if (this.options.guard) {
        undo = await this.options.guard.reserve(
          submitter.tenant,
          submissions.map(({ data }, index) => ({
            id: ids[index],
            lane: data.routing.lane,
            task: data.task,
          })),
        );
      }
    } catch (error) {
      await forgetKey();
      throw error;
    }
    return async () => {
      await Promise.all([undo(), forgetKey()]);
    };
  }

  /** The BullMQ inserts; a batch's jobs each get a trace of their own (`ownTraces`). */
  private inserts(ids: string[], submissions: ValidatedSubmission[], ownTraces: boolean) {
    const traces = ownTraces
      ? this.options.batchTraces?.(
          submissions.map(({ data }, index) => ({
            id: ids[index],
            task: data.task,
            lane: data.routing.lane,
            profile: data.routing.profile,
          })),
        )
      : undefined;
    const inserts: LaneJobInsert[] = submissions.map((submission, index) => {
      const jobId = ids[index];
      const carrier = traces?.carriers[index];
      const lane = submission.data.routing.lane;
      if (!carrier?.traceparent)
        return { lane, data: submission.data, opts: { ...submission.options, jobId } };
      const { traceparent, tracestate } = carrier;
      return {
        lane,
        data: { ...submission.data, traceparent, tracestate },
        // BullMQ parents the job's consumer span on this instead of on the batch request's span.
        opts: { ...submission.options, jobId, telemetry: { metadata: JSON.stringify(carrier) } },
      };
    });
    return Object.assign(inserts, { traces });
  }

  private withTraceContext(submission: ValidatedSubmission): ValidatedSubmission {
    const carrier = this.options.traceContext?.();
    if (carrier?.traceparent) {
      submission.data.traceparent = carrier.traceparent;
      if (carrier.tracestate) submission.data.tracestate = carrier.tracestate;
    }
    return submission;
  }

  /**
   * Keys are the tenant's own: another tenant's use of the same key neither replays nor blocks it.
   * @returns the earlier jobs when the key was already used for the same request.
   */
  private async claimIdempotencyKey(
    tenant: string,
    key: string,
    kind: 'job' | 'batch',
    jobIds: string[],
    submissions: ValidatedSubmission[],
  ): Promise<IdempotencyRecord | undefined> {
    if (!IDEMPOTENCY_KEY.test(key)) throw new InvalidIdempotencyKeyError();
    const fingerprint = createHash('sha256')
      .update(canonicalJson({ kind, requests: submissions.map(({ request }) => request) }))
      .digest('hex');
    const record: IdempotencyRecord = { jobIds, fingerprint };
    const redisKey = this.options.keys.idempotency(tenant, key);
    for (let attempt = 0; attempt < 3; attempt++) {
      const claimed = await this.options.redis.set(
        redisKey,
        JSON.stringify(record),
        'EX',
        this.idempotencyTtlSeconds,
        'NX',
      );
      if (claimed === 'OK') return undefined;
      const earlier = parseRecord(await this.options.redis.get(redisKey));
      if (!earlier) continue; // expired between the two reads
      if (earlier.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError(earlier.jobIds[0]);
      return earlier;
    }
    throw new IdempotencyKeyBusyError();
  }
}

/** Records written before batches had keys hold one `jobId`. */
function parseRecord(raw: string | null): IdempotencyRecord | undefined {
  if (!raw) return undefined;
  const parsed = JSON.parse(raw) as Partial<IdempotencyRecord> & { jobId?: string };
  return {
    fingerprint: parsed.fingerprint ?? '',
    jobIds: parsed.jobIds ?? (parsed.jobId ? [parsed.jobId] : []),
  };
}
