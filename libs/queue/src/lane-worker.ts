import os from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import {
  JobCancelledError,
  type ExecutionRecord,
  type JobData,
  type JobProgress,
  type JobResultEnvelope,
} from '@switchyard/contracts';
import type { Executor } from '@switchyard/execution';
import { UnrecoverableError, WaitingError, Worker, type Job, type Telemetry } from 'bullmq';
import type { Redis } from 'ioredis';
import { closeRedis } from './redis-connection';
import type { SwitchyardKeys } from './switchyard-keys';

type LaneJob = Job<JobData, JobResultEnvelope>;

/** Told about every attempt, for metrics and logs. */
export interface LaneWorkerObserver {
  attemptStarted?(job: LaneJob, queueWaitMs: number): void;
  attemptSettled?(
    job: LaneJob,
    outcome: 'completed' | 'failed' | 'cancelled' | 'timeout',
    execution?: ExecutionRecord,
    error?: Error,
  ): void;
}

export interface LaneWorkerOptions {
  lane: string;
  prefix: string;
  /** A `worker` role connection (maxRetriesPerRequest: null); duplicated for blocking and pub/sub. */
  connection: Redis;
  keys: SwitchyardKeys;
  executor: Executor;
  /** Jobs run at once: IO_CONCURRENCY on io lanes, the pool size on compute lanes. */
  concurrency: number;
  /** Shown by `GET /v1/queues` as a worker; @defaultValue `<lane>@<host>:<pid>` */
  name?: string;
  telemetry?: Telemetry;
  /**
   * The W3C context of the active span, read inside the processor, where BullMQ's telemetry has made
   * the attempt's consumer span active: the executor parents `execute <task>` on it. Pass
   * `injectTraceContext` from `@switchyard/telemetry`. @defaultValue the job's stored context
   */
  traceCarrier?: () => { traceparent?: string; tracestate?: string };
  observer?: LaneWorkerObserver;
  /**
   * How long a job holds its lock between renewals. `inline` blocks the event loop that renews
   * it, so its lane needs a lock longer than its longest job. @defaultValue 30000
   */
  lockDurationMs?: number;
  /** Minimum interval between progress writes to Redis per job. @defaultValue 250 */
  progressIntervalMs?: number;
  /**
   * A failed attempt's stored reason and stack are cut to this many characters each, so a task throwing
   * a huge message cannot fill Redis (pass JOB_ERROR_MAX_CHARS). @defaultValue 2048
   */
  errorMaxChars?: number;
}

/** How long a cancel heard for a job this process does not (yet) run is remembered. */
const RECENT_CANCEL_TTL_MS = 60_000;
const RECENT_CANCELS_MAX = 10_000;
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
  private readonly recentlyCancelled = new Map<string, number>();
  private readonly worker: Worker<JobData, JobResultEnvelope, string>;
  private readonly subscriber: Redis;
  private readonly host = os.hostname();
  private closing?: Promise<void>;

  constructor(private readonly options: LaneWorkerOptions) {
    this.worker = new Worker<JobData, JobResultEnvelope, string>(
      options.lane,
      (job, token, signal) => this.process(job, token, signal),
      {
        connection: options.connection,
        prefix: options.prefix,
        concurrency: options.concurrency,
        name: options.name ?? `${options.lane}@${this.host}:${process.pid}`,
        autorun: false,
        lockDuration: options.lockDurationMs ?? 30_000,
        telemetry: options.telemetry,
      },
    );
    // Connection errors are retried by ioredis; readiness reports them.
    this.worker.on('error', () => undefined);
    this.subscriber = options.connection.duplicate();
    this.subscriber.on('error', () => undefined);
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
      if (!this.abort(jobId, new JobCancelledError(jobId))) this.rememberCancel(jobId);
    });
    await this.subscriber.subscribe(this.options.keys.cancelChannel());
    void this.worker.run();
    await this.worker.waitUntilReady();
  }

  /**
   * A cancel can be heard just before BullMQ hands this process the job: remember it for a while, so
   * the job is stopped as it starts, without asking Redis on every job.
   */
  private rememberCancel(jobId: string): void {
    const now = Date.now();
    for (const [id, expiry] of this.recentlyCancelled) {
      if (expiry > now && this.recentlyCancelled.size < RECENT_CANCELS_MAX) break;
      this.recentlyCancelled.delete(id);
    }
    this.recentlyCancelled.set(jobId, now + RECENT_CANCEL_TTL_MS);
  }

  /**
   * Whether a job was cancelled before it started here. A first attempt can only have been cancelled
   * after it left the queue (a waiting job is removed instead), so the pub/sub message covers it; a
   * job run before (a retry, or one taken back from a consumer that died) asks Redis for the record.
   */
  private async cancelledBeforeStart(job: LaneJob): Promise<boolean> {
    const jobId = job.id ?? '';
    if (this.recentlyCancelled.delete(jobId)) return true;
    if (job.attemptsMade === 0 && !job.stalledCounter) return false;
    return (await this.options.connection.exists(this.options.keys.cancellation(jobId))) > 0;
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

  private async process(job: LaneJob, token?: string, bullSignal?: AbortSignal): Promise<JobResultEnvelope> {
    const jobId = job.id ?? '';
    const controller = new AbortController();
    bullSignal?.addEventListener('abort', () => controller.abort(new JobCancelledError(jobId)), {
      once: true,
    });
    this.running.set(jobId, controller);
    const queueWaitMs = Math.max(0, (job.processedOn ?? Date.now()) - job.timestamp - (job.delay ?? 0));
    this.options.observer?.attemptStarted?.(job, queueWaitMs);
    let execution: ExecutionRecord | undefined;
    try {
      if (await this.cancelledBeforeStart(job)) throw new JobCancelledError(jobId);
      const progress = this.progressWriter(job, () => execution);
      const outcome = await this.options.executor.run({
        jobId,
        task: job.data.task,
        payload: job.data.payload,
        timeoutMs: job.data.timeoutMs,
        signal: controller.signal,
        ...this.traceContextOf(job),
        lane: this.options.lane,
        attempt: job.attemptsMade + 1,
        profile: job.data.routing.profile,
        queueWaitMs,
        onStart: (placement) => {
          execution = {
            model: this.options.executor.model,
            lane: this.options.lane,
            host: this.host,
            ...placement,
            startedAt: Date.now(),
          };
          // Pools report which thread or child took the job. An event-loop job runs on this
          // consumer, recorded when it ends: a write per job here would cost the io lane throughput.
          if (this.options.executor.model !== 'event-loop') progress(0, true);
        },
        onProgress: (percent) => progress(percent, false),
      });
      // An inline run blocks the event loop, so a cancel message could not be heard while it ran.
      if (
        this.options.executor.model === 'inline' &&
        (await this.options.connection.exists(this.options.keys.cancellation(jobId)))
      ) {
        throw new JobCancelledError(jobId);
      }
      const record: ExecutionRecord = {
        model: this.options.executor.model,
        lane: this.options.lane,
        host: this.host,
        ...outcome.placement,
        startedAt: outcome.startedAt,
        finishedAt: outcome.finishedAt,
        runMs: outcome.finishedAt - outcome.startedAt,
      };
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
      this.options.observer?.attemptSettled?.(job, outcome, execution, bounded);
      // BullMQ stores the message as failedReason: `<name>: <message>`, the name of a plain Error (a task's
      // own error named like one of BullMQ's, e.g. DelayedError, must not steer BullMQ).
      const reason = cutToLength(`${error.name}: ${error.message}`, maxChars);
      throw Object.assign(cancelled ? new UnrecoverableError(reason) : new Error(reason), {
        stack: bounded.stack,
      });
    } finally {
      this.running.delete(jobId);
      if (this.running.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  /** The consumer span's context when traced, else the context the job was submitted under. */
  private traceContextOf(job: LaneJob): { traceparent?: string; tracestate?: string } {
    const active = this.options.traceCarrier?.();
    if (active?.traceparent) return { traceparent: active.traceparent, tracestate: active.tracestate };
    return { traceparent: job.data.traceparent, tracestate: job.data.tracestate };
  }

  /** Progress writes are throttled: a CPU task may report thousands of times a second. */
  private progressWriter(job: LaneJob, execution: () => ExecutionRecord | undefined) {
    const interval = this.options.progressIntervalMs ?? 250;
    let lastWrite = 0;
    return (percent: number, force: boolean) => {
      const now = Date.now();
      if (!force && now - lastWrite < interval) return;
      lastWrite = now;
      const progress: JobProgress = {
        percent: Math.max(0, Math.min(100, Math.round(percent))),
        execution: execution(),
      };
      job.updateProgress(progress as object).catch(() => undefined); // progress is advisory; the job goes on
    };
  }
}

/**
 * The error itself when its message and stack fit in `max` characters each, else a copy with the same
 * name and both cut: a task throwing a 1 MiB message must not fill Redis or the logs.
 */
function boundError(error: Error, max: number): Error {
  if (error.message.length <= max && (error.stack?.length ?? 0) <= max) return error;
  const bounded = new Error(cutToLength(error.message, max));
  bounded.name = error.name;
  bounded.stack = cutToLength(error.stack ?? `${error.name}: ${error.message}`, max);
  return bounded;
}

/** `text` if it fits in `max` characters, else its start and a note of how much was cut, `max` in all. */
function cutToLength(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = ` … [${text.length} characters, cut to ${max}]`;
  return text.slice(0, Math.max(0, max - note.length)) + note;
}
