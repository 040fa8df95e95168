import { metrics, type Meter, type ObservableResult } from '@opentelemetry/api';
import {
  SwitchyardAttributes,
  type ExecutionModel,
  type ExecutionRecord,
  type JobData,
  type Profile,
} from '@switchyard/contracts';
import type { ExecuteOutcome } from './execute-span-record';
import { JobLabelSets } from './job-label-sets';

export { UNKNOWN_TASK_LABEL } from './job-label-sets';
import { isTelemetryStarted } from './start-telemetry';

/** A pool's state as an executor reports it. */
export interface PoolStats {
  model: ExecutionModel;
  /** Threads or processes the pool may run. */
  size: number;
  /** Of those, how many run a task now. */
  busy: number;
  /** Tasks waiting for a free thread or process. */
  queued: number;
  /** The live threads or processes. */
  workers: { pid: number; threadId: number }[];
  /** Tasks finished since the pool started. */
  completed: number;
  failed: number;
}

/** A lane's job counts as BullMQ reports them. */
export interface LaneDepth {
  lane: string;
  waiting: number;
  active: number;
  delayed: number;
}

/** The labels every job series carries. `model` is unknown at submission, so it is optional. */
export interface JobLabels {
  task: string;
  lane: string;
  profile: Profile;
  model?: ExecutionModel;
}

/** The part of a BullMQ job the lane observer reads. */
export interface ObservedJob {
  data: Pick<JobData, 'task' | 'routing'>;
}

/** Plugs into the lane worker (`LaneWorkerObserver`): every attempt feeds the job series. */
export interface LaneAttemptObserver {
  attemptStarted(job: ObservedJob, queueWaitMs: number): void;
  attemptSettled(
    job: ObservedJob,
    outcome: ExecuteOutcome,
    execution?: Pick<ExecutionRecord, 'model' | 'runMs'>,
  ): void;
}

/** Buckets for job durations in ms: 1 ms no-ops up to 10-minute jobs. */
const DURATION_BUCKETS_MS = [
  1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 300_000, 600_000,
];

/**
 * Switchyard's own instruments; the series they make are listed in the lib's README.
 * Get the process's instance with `switchyardMetrics()`.
 */
export class SwitchyardMetrics {
  readonly #submitted;
  readonly #completed;
  readonly #failed;
  readonly #cancelled;
  readonly #runTime;
  readonly #queueWait;
  readonly #labels = new JobLabelSets();

  constructor(private readonly meter: Meter) {
    this.#submitted = meter.createCounter('switchyard.jobs.submitted', {
      description: 'Jobs accepted by the api',
    });
    this.#completed = meter.createCounter('switchyard.jobs.completed', {
      description: 'Attempts that completed',
    });
    this.#failed = meter.createCounter('switchyard.jobs.failed', {
      description: 'Attempts that failed or timed out (switchyard.outcome says which)',
    });
    this.#cancelled = meter.createCounter('switchyard.jobs.cancelled', {
      description: 'Attempts cancelled by a client',
    });
    const histogram = { unit: 'ms', advice: { explicitBucketBoundaries: DURATION_BUCKETS_MS } };
    this.#runTime = meter.createHistogram('switchyard.job.run_ms', {
      ...histogram,
      description: 'Time an attempt spent running its handler',
    });
    this.#queueWait = meter.createHistogram('switchyard.job.queue_wait_ms', {
      ...histogram,
      description: 'Time from enqueue to the start of an attempt',
    });
  }

  /**
   * Labels jobs only with these task names (give the catalog's); any other is labelled
   * `unknown`, so a name from outside the catalog (a job another producer wrote to Redis, a
   * catalog that differs between versions) never becomes a series of its own. Later calls replace
   * the list. @defaultValue every task name is a label as given (the api validates it first)
   */
  limitTaskLabels(tasks: Iterable<string>): void {
    this.#labels.limitTasks(tasks);
  }

  /** A job was enqueued. */
  recordSubmitted(labels: JobLabels): void {
    this.#submitted.add(1, this.#labels.get(labels.task, labels.lane, labels.profile, labels.model));
  }

  /** An attempt started after waiting `queueWaitMs` in its lane. */
  recordQueueWait(labels: JobLabels, queueWaitMs: number): void {
    this.#queueWait.record(
      queueWaitMs,
      this.#labels.get(labels.task, labels.lane, labels.profile, labels.model),
    );
  }

  /** An attempt ended: counts it by outcome and records how long its handler ran. */
  recordFinished(labels: JobLabels, outcome: ExecuteOutcome, runMs?: number): void {
    this.#recordFinished(labels.task, labels.lane, labels.profile, labels.model, outcome, runMs);
  }

  #recordFinished(
    task: string,
    lane: string,
    profile: Profile,
    model: ExecutionModel | undefined,
    outcome: ExecuteOutcome,
    runMs?: number,
  ): void {
    const attributes = this.#labels.get(task, lane, profile, model);
    if (outcome === 'completed') this.#completed.add(1, attributes);
    else if (outcome === 'cancelled') this.#cancelled.add(1, attributes);
    else this.#failed.add(1, this.#labels.get(task, lane, profile, model, outcome));
    if (runMs !== undefined) this.#runTime.record(runMs, attributes);
  }

  /**
   * The same records, fed by the lane worker's attempt callbacks.
   * @param model labels attempts that failed before the executor reported where they ran
   *   (their `execution` is absent). @defaultValue no model label on those
   */
  laneObserver(model?: ExecutionModel): LaneAttemptObserver {
    return {
      attemptStarted: ({ data }, queueWaitMs) =>
        this.#queueWait.record(
          queueWaitMs,
          this.#labels.get(data.task, data.routing.lane, data.routing.profile),
        ),
      attemptSettled: ({ data }, outcome, execution) =>
        this.#recordFinished(
          data.task,
          data.routing.lane,
          data.routing.profile,
          execution?.model ?? model,
          outcome,
          execution?.runMs,
        ),
    };
  }

  /**
   * Feeds the pool gauges from `read` at every collection (a scrape or an OTLP push).
   * `read` may be async and may return one pool or several.
   * @returns a function that stops observing.
   */
  observePool(read: () => PoolStats | PoolStats[] | Promise<PoolStats | PoolStats[]>): () => void {
    const gauge = (name: string, description: string, unit?: string) =>
      this.meter.createObservableGauge(name, { description, unit });
    const size = gauge('switchyard.pool.size', 'Threads or processes the pool may run');
    const busy = gauge('switchyard.pool.busy', 'Threads or processes running a task');
    const utilization = gauge('switchyard.pool.utilization', 'busy / size', '1');
    const queued = gauge('switchyard.pool.queue_size', 'Tasks waiting for a free thread or process');
    const workers = gauge('switchyard.pool.workers', 'Live threads or processes');
    const completed = this.meter.createObservableCounter('switchyard.pool.tasks.completed', {
      description: 'Tasks the pool finished',
    });
    const failed = this.meter.createObservableCounter('switchyard.pool.tasks.failed', {
      description: 'Tasks the pool saw fail',
    });
    const instruments = [size, busy, utilization, queued, workers, completed, failed];
    const callback = async (result: BatchResult) => {
      for (const pool of [await read()].flat()) {
        const attributes = { [SwitchyardAttributes.ExecutionModel]: pool.model };
        result.observe(size, pool.size, attributes);
        result.observe(busy, pool.busy, attributes);
        result.observe(utilization, pool.size > 0 ? pool.busy / pool.size : 0, attributes);
        result.observe(queued, pool.queued, attributes);
        result.observe(workers, pool.workers.length, attributes);
        result.observe(completed, pool.completed, attributes);
        result.observe(failed, pool.failed, attributes);
      }
    };
    this.meter.addBatchObservableCallback(callback, instruments);
    return () => this.meter.removeBatchObservableCallback(callback, instruments);
  }

  /**
   * Feeds `switchyard.lane.depth` (by lane and `switchyard.job.state`) from `read` at every
   * collection; `read` usually asks Redis, so it is async. A rejected read skips that collection.
   * @returns a function that stops observing.
   */
  observeLaneDepth(read: () => LaneDepth[] | Promise<LaneDepth[]>): () => void {
    const depth = this.meter.createObservableGauge('switchyard.lane.depth', {
      description: 'Jobs in a lane by state (waiting, active, delayed)',
    });
    const callback = async (result: ObservableResult) => {
      for (const lane of await read()) {
        for (const state of ['waiting', 'active', 'delayed'] as const) {
          result.observe(lane[state], {
            [SwitchyardAttributes.Lane]: lane.lane,
            [SwitchyardAttributes.JobState]: state,
          });
        }
      }
    };
    depth.addCallback(callback);
    return () => depth.removeCallback(callback);
  }
}

type BatchResult = Parameters<Parameters<Meter['addBatchObservableCallback']>[0]>[0];

let instance: SwitchyardMetrics | undefined;

/**
 * The process's `SwitchyardMetrics`. Call it after `startTelemetry`: OpenTelemetry meters taken
 * before the SDK starts stay no-ops, so before that this returns an uncached no-op instance.
 */
export function switchyardMetrics(): SwitchyardMetrics {
  if (instance) return instance;
  const created = new SwitchyardMetrics(metrics.getMeter('switchyard'));
  if (isTelemetryStarted()) instance = created;
  return created;
}
