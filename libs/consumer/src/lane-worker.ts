import os from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { ANONYMOUS_TENANT } from '@switchyard/auth';
import {
  JobCancelledError,
  type AttemptContext,
  type ExecutionPlacement,
  type ExecutionRecord,
  type JobData,
  type JobResultEnvelope,
  type TraceContext,
} from '@switchyard/contracts';
import { failedRunCpuMs, type Executor } from '@switchyard/execution';
import {
  cancelledJobsKey,
  closeRedis,
  duplicateRedis,
  laneQueuePrefix,
  type RedisConnection,
  type SwitchyardKeys,
} from '@switchyard/queue';
import type { ExecuteOutcome } from '@switchyard/telemetry';
import { UnrecoverableError, WaitingError, Worker, type Job, type Telemetry } from 'bullmq';
import { boundError, cutToLength } from './bounded-error';
import { DueProgressWrites, JobProgressWriter } from './job-progress-writer';
import { RecentCancels } from './recent-cancels';

type LaneJob = Job<JobData, JobResultEnvelope>;

/** Told about every attempt, for metrics and logs. */
export interface LaneWorkerObserver {
  attemptStarted?(job: LaneJob, queueWaitMs: number): void;
  attemptSettled?(job: LaneJob, outcome: ExecuteOutcome, execution?: ExecutionRecord, error?: Error): void;
}

export interface LaneWorkerOptions {
  lane: string;
  prefix: string;
  /** A `worker` role connection (maxRetriesPerRequest: null) to the lane's Redis; duplicated for blocking. */
  connection: RedisConnection;
  /**
   * The Redis of the cancel records and channel (REDIS_URL), when the lane has its own (LANE_REDIS_URLS);
   * duplicated for pub/sub. @defaultValue connection
   */
  controlConnection?: RedisConnection;
  keys: SwitchyardKeys;
  /** Runs the jobs; its traits decide the lock, the concurrency and when placement is written. */
  executor: Executor;
  /** Jobs run at once. @defaultValue the executor's `traits.concurrency` */
  concurrency?: number;
  /** Shown by `GET /v1/queues` as a worker; @defaultValue `<lane>@<host>:<pid>` */
  name?: string;
  telemetry?: Telemetry;
  /**
   * The W3C context of the active span, read inside the processor, where BullMQ's telemetry has made
   * the attempt's consumer span active: the executor parents `execute <task>` on it. Pass
   * `injectTraceContext` from `@switchyard/telemetry`. @defaultValue the job's stored context
   */
  activeTraceContext?: () => TraceContext;
  observer?: LaneWorkerObserver;
  /**
   * How long a job holds its lock between renewals. An executor that blocks the event loop that renews
   * it needs a lock longer than its longest job.
   * @defaultValue 30000, or 600000 when the executor's traits say it blocks the event loop
   */
  lockDurationMs?: number;
  /** Least time between two progress writes of one job to Redis, in ms. @defaultValue 250 */
  progressIntervalMs?: number;
  /**
   * A failed attempt's stored reason and stack are cut to this many characters each, so a task throwing
   * a huge message cannot fill Redis (pass JOB_ERROR_MAX_CHARS). @defaultValue 2048
   */
  errorMaxChars?: number;
  /**
   * How long, and how many, cancelled jobs are remembered apart from failed ones for the lane's counts
   * (pass FAILED_RETENTION_SECONDS and FAILED_RETENTION_COUNT, BullMQ's retention of both).
   * @defaultValue 604800 s, 2000 jobs
   */
  cancelledRetention?: { seconds: number; count: number };
}

/** How long an attempt waited in its lane: from when it was due (created, plus its delay) to its start. */
export function queueWaitOf(job: Pick<LaneJob, 'processedOn' | 'timestamp' | 'delay'>): number {
  return Math.max(0, (job.processedOn ?? Date.now()) - job.timestamp - (job.delay ?? 0));
}

const LOCK_MS = 30_000;
/** Longest job a lane whose executor blocks the event loop may run: no lock is renewed meanwhile. */
const BLOCKING_LOCK_MS = 10 * 60_000;
/**
 * How long `close` waits, past the drain, for BullMQ to write the last outcomes and close its
 * connections before it gives up on Redis and drops them.
 */
const CLOSE_GRACE_MS = 2_000;
/** How long a subscriber's QUIT may take before the connection is dropped. */
const QUIT_TIMEOUT_MS = 500;
/** Close's timers must not keep a process alive that has nothing else left to do. */
const UNREF = { ref: false };

class ShutdownError extends Error {
  override readonly name = 'ShutdownError';
}

/**
 * Consumes one lane: runs each job through the executor with its timeout, reports where it ran,
 * and stops a job when any api instance cancels it (Redis pub/sub reaches every pod).
 */
export class LaneWorker {
  private readonly running = new Map<string, AbortController>();
  /** Called once no job runs here any more. */
  private readonly idleWaiters: (() => void)[] = [];
  private readonly recentCancels = new RecentCancels();
  private readonly dueProgressWrites: DueProgressWrites;
  private readonly worker: Worker<JobData, JobResultEnvelope, string>;
  private readonly subscriber: RedisConnection;
  private readonly host = os.hostname();
  private closing?: Promise<void>;

  constructor(private readonly options: LaneWorkerOptions) {
    const { traits } = options.executor;
    // A report that waits for its interval is written at most a fifth of an interval late.
    this.dueProgressWrites = new DueProgressWrites(Math.max(10, this.progressIntervalMs / 5));
    this.worker = new Worker<JobData, JobResultEnvelope, string>(
      options.lane,
      // Two parameters: with a third BullMQ would make an AbortController per job that only its own
      // cancelJob aborts, which this worker never calls (cancels come over Redis pub/sub, see start()).
      (job, token) => this.process(job, token),
      {
        connection: options.connection,
        prefix: laneQueuePrefix(options.prefix, options.lane),
        concurrency: options.concurrency ?? traits.concurrency,
        name: options.name ?? `${options.lane}@${this.host}:${process.pid}`,
        autorun: false,
        lockDuration: options.lockDurationMs ?? (traits.blocksEventLoop ? BLOCKING_LOCK_MS : LOCK_MS),
        telemetry: options.telemetry,
      },
    );
    // Connection errors are retried by ioredis; readiness reports them.
    this.worker.on('error', () => undefined);
    this.subscriber = duplicateRedis(options.controlConnection ?? options.connection);
    this.subscriber.on('error', () => undefined);
  }

  private get progressIntervalMs(): number {
    return this.options.progressIntervalMs ?? 250;
  }

  private get control(): RedisConnection {
    return this.options.controlConnection ?? this.options.connection;
  }

  get activeJobs(): number {
    return this.running.size;
  }

  /** Consuming: started and not closing (a closing worker takes no job, even once Redis is back). */
  get isRunning(): boolean {
    return !this.closing && this.worker.isRunning();
  }

  /** Starts consuming; call once the app is fully initialised. */
  async start(): Promise<void> {
    this.subscriber.on('message', (_channel: string, jobId: string) => {
      if (!this.abort(jobId, new JobCancelledError(jobId))) this.recentCancels.remember(jobId);
    });
    await this.subscriber.subscribe(this.options.keys.cancelChannel());
    void this.worker.run();
    await this.worker.waitUntilReady();
  }

  /**
   * Whether a job was cancelled before it started here. A first attempt can only have been cancelled
   * after it left the queue (a waiting job is removed instead), so the pub/sub message covers it; a
   * job run before (a retry, or one taken back from a consumer that died) asks Redis for the record.
   */
  private cancelledBeforeStart(job: LaneJob): boolean | Promise<boolean> {
    const jobId = job.id ?? '';
    if (this.recentCancels.take(jobId)) return true;
    // Answered without a promise for a first attempt, every job's case: no await, no microtask turn.
    if (job.attemptsMade === 0 && !job.stalledCounter) return false;
    return this.control.exists(this.options.keys.cancellation(jobId)).then((found) => found > 0);
  }

  /** Aborts a job if this process runs it. */
  abort(jobId: string, reason: Error): boolean {
    const controller = this.running.get(jobId);
    controller?.abort(reason);
    return controller !== undefined;
  }

  /**
   * Stops taking jobs and waits up to `drainTimeoutMs` for active ones; jobs still running then
   * are stopped and put back in the queue for another consumer, so none is lost. Safe to call twice.
   *
   * Resolves within `drainTimeoutMs` + 2.5 s even when Redis does not answer. BullMQ's own close
   * never ends then: it waits for its blocking connection's `end` event, which ioredis does not emit
   * for a connection disconnected while it waits to reconnect (redis/ioredis#1247), and it cancels the
   * reconnection, so the worker would never consume again either. Past the grace period the outcomes
   * BullMQ could not write are abandoned and the connections dropped: those jobs' locks expire and
   * another consumer's stalled-job check puts them back (at-least-once, as after a crash).
   */
  close(drainTimeoutMs: number): Promise<void> {
    this.closing ??= (async () => {
      const closed = this.worker.close().then(
        () => true,
        () => true,
      );
      // Nothing left to drain: only BullMQ's bookkeeping remains, and it gets the grace period.
      const idle = this.whenIdle().then(() => delay(CLOSE_GRACE_MS, false, UNREF));
      const drained = await Promise.race([closed, idle, delay(drainTimeoutMs, false, UNREF)]);
      if (!drained && this.running.size > 0) {
        for (const jobId of this.running.keys())
          this.abort(jobId, new ShutdownError('consumer shutting down'));
        await Promise.race([closed, delay(CLOSE_GRACE_MS, false, UNREF)]);
      }
      await closeRedis(this.subscriber, QUIT_TIMEOUT_MS);
    })();
    return this.closing;
  }

  private whenIdle(): Promise<void> {
    if (this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async process(job: LaneJob, token?: string): Promise<JobResultEnvelope> {
    const { executor } = this.options;
    const attempt = this.attemptOf(job);
    const { jobId } = attempt;
    const controller = new AbortController();
    this.running.set(jobId, controller);
    this.options.observer?.attemptStarted?.(job, attempt.queueWaitMs);
    // Where and when the handler started: the record is built only when one is written (progress, a
    // failure), not for every job at its start.
    let placement: ExecutionPlacement | undefined;
    let startedAt = 0;
    let execution: ExecutionRecord | undefined;
    const progress = new JobProgressWriter(
      job,
      this.progressIntervalMs,
      () => execution ?? (placement && this.recordOf(placement, startedAt)),
      this.dueProgressWrites,
    );
    try {
      const cancelled = this.cancelledBeforeStart(job);
      if (cancelled === true || (cancelled !== false && (await cancelled)))
        throw new JobCancelledError(jobId);
      const outcome = await executor.run(attempt, {
        signal: controller.signal,
        // Made for this attempt alone: an event-loop run aborts it on its timeout rather than link a second.
        controller,
        onStart: (where) => {
          placement = where;
          startedAt = Date.now();
          if (executor.traits.reportsPlacementAtStart) progress.writeNow(0);
        },
        onProgress: (percent) => progress.report(percent),
      });
      // A run that blocked the event loop could not hear a cancel message meanwhile.
      if (
        executor.traits.blocksEventLoop &&
        (await this.control.exists(this.options.keys.cancellation(jobId)))
      ) {
        throw new JobCancelledError(jobId);
      }
      const record = this.recordOf(outcome.placement, outcome.startedAt, outcome.finishedAt, outcome.cpuMs);
      this.options.observer?.attemptSettled?.(job, 'completed', record);
      return { result: outcome.result, execution: record };
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught));
      if (error instanceof ShutdownError && token) {
        await job.moveToWait(token);
        throw new WaitingError();
      }
      const cancelled = error instanceof JobCancelledError;
      const outcome = cancelled ? 'cancelled' : error.name === 'JobTimeoutError' ? 'timeout' : 'failed';
      const maxChars = this.options.errorMaxChars ?? 2_048;
      const bounded = boundError(error, maxChars);
      // Where it ran and for how long, as a completed job's result says it: kept in its progress.
      if (placement) {
        // cpuMs when the handler threw (its own error); none for a timeout or a cancel, ended from outside.
        execution = this.recordOf(placement, startedAt, Date.now(), failedRunCpuMs(caught));
        progress.writeNow(progress.percent);
      }
      if (cancelled) this.rememberCancelled(jobId);
      this.options.observer?.attemptSettled?.(job, outcome, execution, bounded);
      // BullMQ stores the message as failedReason: `<name>: <message>`, the name of a plain Error (a task's
      // own error named like one of BullMQ's, e.g. DelayedError, must not steer BullMQ).
      const reason = cutToLength(`${error.name}: ${error.message}`, maxChars);
      throw Object.assign(cancelled ? new UnrecoverableError(reason) : new Error(reason), {
        stack: bounded.stack,
      });
    } finally {
      progress.stop();
      this.running.delete(jobId);
      if (this.running.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  /**
   * Written on the same connection just before BullMQ moves the job to `failed`, so the lane's counts
   * never see it there uncounted; trimmed here, as BullMQ trims its failed jobs.
   */
  private rememberCancelled(jobId: string): void {
    const retention = this.options.cancelledRetention ?? { seconds: 604_800, count: 2_000 };
    const key = cancelledJobsKey(this.options.prefix, this.options.lane);
    const now = Date.now();
    this.options.connection
      .multi()
      .zadd(key, now, jobId)
      .zremrangebyscore(key, '-inf', now - retention.seconds * 1_000)
      .zremrangebyrank(key, 0, -retention.count - 1)
      .exec()
      .catch(() => undefined); // advisory: a lost entry shows one cancelled job as failed in the counts
  }

  /** The one description of this attempt, built here once and handed to the executor as it is. */
  private attemptOf(job: LaneJob): AttemptContext {
    const { data } = job;
    // The consumer span's context when traced, else the context the job was submitted under.
    const active = this.options.activeTraceContext?.();
    const trace: TraceContext = active?.traceparent ? active : data;
    return {
      jobId: job.id ?? '',
      task: data.task,
      payload: data.payload,
      timeoutMs: data.timeoutMs,
      lane: this.options.lane,
      profile: data.routing.profile,
      attempt: job.attemptsMade + 1,
      queueWaitMs: queueWaitOf(job),
      tenant: data.tenant ?? ANONYMOUS_TENANT,
      traceparent: trace.traceparent,
      tracestate: trace.tracestate,
    };
  }

  /** Where and when this attempt ran, as its job records it; `finishedAt` once it ended. */
  private recordOf(
    placement: ExecutionPlacement,
    startedAt: number,
    finishedAt?: number,
    cpuMs?: number,
  ): ExecutionRecord {
    const record: ExecutionRecord = {
      model: this.options.executor.model,
      lane: this.options.lane,
      host: this.host,
      pid: placement.pid,
      threadId: placement.threadId,
      startedAt,
    };
    if (finishedAt !== undefined) {
      record.finishedAt = finishedAt;
      record.runMs = finishedAt - startedAt;
    }
    if (cpuMs !== undefined) record.cpuMs = cpuMs;
    return record;
  }
}
