import { metrics, type Attributes, type Meter, type ObservableResult } from '@opentelemetry/api';
import {
  SwitchyardAttributes,
  type ExecutionModel,
  type ExecutionRecord,
  type JobData,
  type Profile,
} from '@switchyard/contracts';
import type { ExecuteOutcome } from './execute-span-record';
import { JobHistograms } from './job-histograms';
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
  /** Attempts made before the one being reported (BullMQ's `attemptsMade`). */
  attemptsMade: number;
  opts: { attempts?: number };
}

/** Plugs into the lane worker (`LaneWorkerObserver`): every attempt feeds the job series. */
export interface LaneAttemptObserver {
  attemptStarted(job: ObservedJob, queueWaitMs: number): void;
  attemptSettled(
    job: ObservedJob,
    outcome: ExecuteOutcome,
    execution?: Pick<ExecutionRecord, 'model' | 'runMs' | 'cpuMs'>,
  ): void;
}

/**
 * Whether a settled attempt ends its job for good: BullMQ retries a failed attempt while
 * `attemptsMade + 1 < opts.attempts` (its `shouldRetryJob`); completions and cancellations
 * (thrown as UnrecoverableError) are never retried.
 */
export function isLastAttempt(job: ObservedJob, outcome: ExecuteOutcome): boolean {
  if (outcome === 'completed' || outcome === 'cancelled') return true;
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/** Buckets for job durations in seconds: 1 ms no-ops up to 10-minute jobs. */
const DURATION_BUCKETS_SECONDS = [
  0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600,
];

const MS_PER_SECOND = 1_000;

/** What the job histograms are recorded through: the SDK's histogram, or a `JobHistogram`. */
interface JobHistogramRecorder {
  record(value: number, attributes: Readonly<Attributes>): void;
}

/**
 * A monotonic count per label set, kept in plain numbers and read by an observable counter at each
 * collection. `add` is one Map lookup by the label set's object (from `JobLabelSets`, one per distinct
 * content); a synchronous counter hashes the attributes on every call instead (the SDK's
 * `hashAttributes`, which sorts and serialises the keys): several per job on a consumer's event loop.
 * Exported exactly as a counter: the same name, unit, type and cumulative values.
 */
class CollectedCounter {
  readonly #counts = new Map<Readonly<Attributes>, number>();

  constructor(meter: Meter, name: string, options: { unit: string; description: string }) {
    meter.createObservableCounter(name, options).addCallback((result) => {
      for (const [attributes, count] of this.#counts) result.observe(count, attributes);
    });
  }

  add(attributes: Readonly<Attributes>): void {
    this.#counts.set(attributes, (this.#counts.get(attributes) ?? 0) + 1);
  }
}

/**
 * Switchyard's own instruments, named by the OpenTelemetry conventions (durations in seconds, `{job}`
 * annotations on counts) so that Prometheus serves them as `switchyard_job_run_duration_seconds` and
 * so on; the series are listed in the lib's README. Jobs and attempts are counted apart: a job that
 * failed twice and then completed is one completed job and three attempts.
 * Get the process's instance with `switchyardMetrics()`.
 */
export class SwitchyardMetrics {
  readonly #submitted;
  readonly #completed;
  readonly #failed;
  readonly #cancelled;
  readonly #attempts;
  readonly #runTime: JobHistogramRecorder;
  readonly #queueWait: JobHistogramRecorder;
  readonly #cpuTime: JobHistogramRecorder;
  readonly #labels = new JobLabelSets();

  /**
   * @param histograms where the job histograms record, when a metric reader collects it (see
   *   `jobHistogramsProducer`). @defaultValue the meter's own histograms
   */
  constructor(
    private readonly meter: Meter,
    histograms?: JobHistograms,
  ) {
    const jobs = { unit: '{job}' };
    this.#submitted = new CollectedCounter(meter, 'switchyard.jobs.submitted', {
      ...jobs,
      description: 'Jobs accepted by the api',
    });
    this.#completed = new CollectedCounter(meter, 'switchyard.jobs.completed', {
      ...jobs,
      description: 'Jobs that completed',
    });
    this.#failed = new CollectedCounter(meter, 'switchyard.jobs.failed', {
      ...jobs,
      description:
        'Jobs that failed for good: their last attempt failed or timed out (switchyard.outcome says which)',
    });
    this.#cancelled = new CollectedCounter(meter, 'switchyard.jobs.cancelled', {
      ...jobs,
      description: 'Jobs a client cancelled while they ran',
    });
    this.#attempts = new CollectedCounter(meter, 'switchyard.job.attempts', {
      unit: '{attempt}',
      description: 'Attempts by outcome (completed, failed, cancelled, timeout); a retried job has several',
    });
    const histogram = (name: string, description: string): JobHistogramRecorder =>
      histograms
        ? histograms.create(name, { unit: 's', description, boundaries: DURATION_BUCKETS_SECONDS })
        : meter.createHistogram(name, {
            unit: 's',
            description,
            advice: { explicitBucketBoundaries: DURATION_BUCKETS_SECONDS },
          });
    this.#runTime = histogram('switchyard.job.run.duration', 'Time an attempt spent running its handler');
    this.#queueWait = histogram(
      'switchyard.job.queue_wait',
      'Time from enqueue (or the end of a delay) to the start of an attempt',
    );
    this.#cpuTime = histogram(
      'switchyard.job.cpu.duration',
      "CPU time a completed attempt's handler used (execution record's cpuMs)",
    );
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
    this.#submitted.add(this.#labels.get(labels.task, labels.lane, labels.profile, labels.model));
  }

  /** An attempt started after waiting `queueWaitMs` in its lane. */
  recordQueueWait(labels: JobLabels, queueWaitMs: number): void {
    this.#queueWait.record(
      queueWaitMs / MS_PER_SECOND,
      this.#labels.get(labels.task, labels.lane, labels.profile, labels.model),
    );
  }

  /**
   * An attempt ended: counts it by outcome, counts its job when it was the job's last attempt
   * (`lastAttempt`; see `isLastAttempt`), and records how long its handler ran.
   */
  recordFinished(labels: JobLabels, outcome: ExecuteOutcome, runMs?: number, lastAttempt = true): void {
    this.#recordFinished(labels.task, labels.lane, labels.profile, labels.model, outcome, runMs, lastAttempt);
  }

  /** A job cancelled while waiting or delayed: counted as cancelled, with no attempt (it never ran). */
  recordCancelledBeforeRun(labels: JobLabels): void {
    this.#cancelled.add(this.#labels.get(labels.task, labels.lane, labels.profile, undefined));
  }

  #recordFinished(
    task: string,
    lane: string,
    profile: Profile,
    model: ExecutionModel | undefined,
    outcome: ExecuteOutcome,
    runMs: number | undefined,
    lastAttempt: boolean,
  ): void {
    const attributes = this.#labels.get(task, lane, profile, model);
    const withOutcome = this.#labels.get(task, lane, profile, model, outcome);
    this.#attempts.add(withOutcome);
    if (outcome === 'completed') this.#completed.add(attributes);
    else if (outcome === 'cancelled') this.#cancelled.add(attributes);
    else if (lastAttempt) this.#failed.add(withOutcome);
    if (runMs !== undefined) this.#runTime.record(runMs / MS_PER_SECOND, attributes);
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
          queueWaitMs / MS_PER_SECOND,
          this.#labels.get(data.task, data.routing.lane, data.routing.profile),
        ),
      attemptSettled: (job, outcome, execution) => {
        if (execution?.cpuMs !== undefined)
          this.#cpuTime.record(
            execution.cpuMs / MS_PER_SECOND,
            this.#labels.get(job.data.task, job.data.routing.lane, job.data.routing.profile, execution.model),
          );
        this.#recordFinished(
          job.data.task,
          job.data.routing.lane,
          job.data.routing.profile,
          execution?.model ?? model,
          outcome,
          execution?.runMs,
          isLastAttempt(job, outcome),
        );
      },
    };
  }

  /**
   * Feeds the pool gauges from `read` at every collection (a scrape or an OTLP push).
   * `read` may be async and may return one pool or several.
   * @returns a function that stops observing.
   */
  observePool(read: () => PoolStats | PoolStats[] | Promise<PoolStats | PoolStats[]>): () => void {
    const gauge = (name: string, description: string, unit: string) =>
      this.meter.createObservableGauge(name, { description, unit });
    const size = gauge('switchyard.pool.size', 'Threads or processes the pool may run', '{worker}');
    const busy = gauge('switchyard.pool.busy', 'Threads or processes running a task', '{worker}');
    // Unit 1 on a gauge: served as switchyard_pool_utilization_ratio.
    const utilization = gauge('switchyard.pool.utilization', 'busy / size', '1');
    const queued = gauge(
      'switchyard.pool.queue_size',
      'Tasks waiting for a free thread or process',
      '{task}',
    );
    const workers = gauge('switchyard.pool.workers', 'Live threads or processes', '{worker}');
    const completed = this.meter.createObservableCounter('switchyard.pool.tasks.completed', {
      unit: '{task}',
      description: 'Tasks the pool finished',
    });
    const failed = this.meter.createObservableCounter('switchyard.pool.tasks.failed', {
      unit: '{task}',
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
      unit: '{job}',
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

/** The job histograms of this process, once a metric reader collects them (`jobHistogramsProducer`). */
let producer: JobHistograms | undefined;

/**
 * The process's job histograms as a `MetricProducer`: pass it to every metric reader
 * (`metricProducers`) when telemetry starts, before the first `switchyardMetrics()`. The histograms are
 * then recorded without the SDK's per-record attribute hashing (see `JobHistogram`), and exported the same.
 */
export function jobHistogramsProducer(): JobHistograms {
  producer ??= new JobHistograms(METER_NAME);
  return producer;
}

const METER_NAME = 'switchyard';

/**
 * The process's `SwitchyardMetrics`. Call it after `startTelemetry`: OpenTelemetry meters taken
 * before the SDK starts stay no-ops, so before that this returns an uncached no-op instance.
 */
export function switchyardMetrics(): SwitchyardMetrics {
  if (instance) return instance;
  if (!isTelemetryStarted()) return new SwitchyardMetrics(metrics.getMeter(METER_NAME));
  instance = new SwitchyardMetrics(metrics.getMeter(METER_NAME), producer);
  return instance;
}
