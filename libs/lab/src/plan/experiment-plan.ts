import type { ComputeExecutionModel } from '@switchyard/contracts';
import type { CellIdentity, ExperimentName, ModelName } from '../lab-results';

/** A job a cell submits, before run-time values (the calibrated CPU payload, the delay server) are known. */
export type JobKind =
  | { kind: 'io.sleep'; ms: number }
  | { kind: 'io.http'; delayMs: number }
  /** The CPU job calibrated at start (20–50 ms of one core). */
  | { kind: 'cpu' };

export interface JobMix {
  job: JobKind;
  count: number;
  /** Sends the jobs to this lane instead of their task's default: how misrouting is made. */
  lane?: string;
  /**
   * Submits the jobs with `profile: "auto"`: the api routes them by their task's measured CPU/wall ratio
   * (among the profiles the task declares). @defaultValue the task's default profile
   */
  profile?: 'auto';
}

/**
 * Jobs run before a cell's repeats, unmeasured, until the api routes every one of them by measurement
 * (`routing.reason: "measured"`): `auto` routes by a task's ratio only after AUTO_ROUTING_MIN_SAMPLES
 * measured attempts of it (20 by default), and until then by the task's declared profile.
 */
export interface AutoRoutingWarmUp {
  /** One round's jobs; a round is repeated until all of its jobs were routed by measurement. */
  jobs: JobMix[];
}

/** One consumer service of a cell's local stack. */
export interface ConsumerShape {
  app: 'io-consumer' | 'compute';
  replicas: number;
  env: Record<string, string>;
}

/** What to scale on Kubernetes for a cell: the consumer component and its replica count. */
export interface KubeScale {
  component: 'io-consumer' | 'compute';
  /** The Deployment's name; several compute Deployments (one per model) may exist. */
  deployment: string;
  replicas: number;
}

export interface CellSpec extends CellIdentity {
  jobs: JobMix[];
  /**
   * Local mode: the consumers to start (the api is shared by all cells, except for cells with `redis`
   * set, which get an api of their own beside their consumers).
   */
  consumers: ConsumerShape[];
  /**
   * Local mode: the cell runs on a Redis of its kind, with its own api: `standalone` on the run's
   * Redis, `cluster` on a private 3-master Redis Cluster the target starts for it and stops after.
   * @defaultValue the run's Redis, through the shared api
   */
  redis?: 'standalone' | 'cluster';
  /** Kubernetes mode: the replica counts to set. */
  kube?: KubeScale[];
  /** Run before the repeats, for cells whose jobs ask for `profile: "auto"`. */
  warmUp?: AutoRoutingWarmUp;
}

export interface PlanOptions {
  quick: boolean;
  /** Cores of the machine the consumers run on. */
  cores: number;
  only?: readonly ExperimentName[];
}

const IO_SLEEP_MS = 50;
const HTTP_DELAY_MS = 50;

function ioConsumer(concurrency: number, replicas = 1, lane?: string): ConsumerShape {
  return {
    app: 'io-consumer',
    replicas,
    env: { IO_CONCURRENCY: String(concurrency), ...(lane ? { LANE: lane } : {}) },
  };
}

function compute(model: ComputeExecutionModel, poolSize: number, replicas = 1): ConsumerShape {
  return { app: 'compute', replicas, env: { EXECUTION_MODEL: model, POOL_SIZE: String(poolSize) } };
}

/** Enough io jobs that every slot is busy a few times over, capped to keep a cell short. */
function ioJobCount(workers: number, quick: boolean): number {
  return Math.min(quick ? 400 : 1000, Math.max(20, workers * 4));
}

function ioCells(options: PlanOptions): CellSpec[] {
  const concurrencies = options.quick ? [1, 10, 100] : [1, 10, 100, 1000];
  const replicaCounts = options.quick ? [1] : [1, 2, 4];
  const cells: CellSpec[] = [];
  for (const replicas of replicaCounts) {
    for (const concurrency of concurrencies) {
      const workers = concurrency * replicas;
      cells.push({
        id: `io/sleep/c${concurrency}/r${replicas}`,
        experiment: 'io',
        series: 'io.sleep',
        label: `io.sleep ${IO_SLEEP_MS} ms · concurrency ${concurrency} × ${replicas} replica(s)`,
        model: 'event-loop',
        task: 'io.sleep',
        perReplica: concurrency,
        replicas,
        jobs: [{ job: { kind: 'io.sleep', ms: IO_SLEEP_MS }, count: ioJobCount(workers, options.quick) }],
        consumers: [ioConsumer(concurrency, replicas)],
      });
    }
  }
  if (!options.quick) {
    for (const concurrency of concurrencies) {
      cells.push({
        id: `io/http/c${concurrency}/r1`,
        experiment: 'io',
        series: 'io.http',
        label: `io.http to a ${HTTP_DELAY_MS} ms server · concurrency ${concurrency}`,
        model: 'event-loop',
        task: 'io.http',
        perReplica: concurrency,
        replicas: 1,
        jobs: [{ job: { kind: 'io.http', delayMs: HTTP_DELAY_MS }, count: ioJobCount(concurrency, false) }],
        consumers: [ioConsumer(concurrency)],
      });
    }
  }
  return cells;
}

function cpuCells(options: PlanOptions): CellSpec[] {
  const models: ComputeExecutionModel[] = ['inline', 'worker-threads', 'processes'];
  const maxPool = 2 * options.cores;
  const pools = options.quick ? [1, options.cores] : Array.from({ length: maxPool }, (_, index) => index + 1);
  const jobs = options.quick ? 32 : 24;
  const cells: CellSpec[] = [];
  const add = (model: ComputeExecutionModel, pool: number, replicas: number) =>
    cells.push({
      id: `cpu/${model}/p${pool}/r${replicas}`,
      experiment: 'cpu',
      series: `cpu/${model}`,
      label: `cpu job · ${model} · pool ${pool} × ${replicas} replica(s)`,
      model,
      task: 'cpu',
      perReplica: pool,
      replicas,
      jobs: [{ job: { kind: 'cpu' }, count: jobs * Math.max(1, Math.min(pool * replicas, options.cores)) }],
      consumers: [compute(model, pool, replicas)],
    });
  for (const model of models) {
    for (const pool of pools) add(model, pool, 1);
    if (!options.quick) add(model, options.cores, 2);
  }
  return cells;
}

/** Jobs of one warm-up round: enough of each task for the api's default AUTO_ROUTING_MIN_SAMPLES (20). */
export const AUTO_WARM_UP_JOBS_PER_TASK = 24;

/**
 * The same mixed workload as the misrouting cells, every job submitted with `profile: "auto"`: the api
 * picks each task's lane from its measured CPU ratio, after a warm-up of the same jobs.
 */
export function autoRoutedJobs(
  ioJobs: JobMix,
  cpuJobs: number,
): { jobs: JobMix[]; warmUp: AutoRoutingWarmUp } {
  const auto = (mix: JobMix): JobMix => ({ job: mix.job, count: mix.count, profile: 'auto' });
  const cpu: JobMix = { job: { kind: 'cpu' }, count: cpuJobs };
  return {
    jobs: [auto(ioJobs), auto(cpu)],
    warmUp: {
      jobs: [ioJobs, cpu].map((mix) => auto({ ...mix, count: AUTO_WARM_UP_JOBS_PER_TASK })),
    },
  };
}

function misroutingCells(options: PlanOptions): CellSpec[] {
  const ioJobs: JobMix = { job: { kind: 'io.sleep', ms: 20 }, count: options.quick ? 200 : 400 };
  const cpuJobs = options.quick ? 16 : 24;
  const slots = 2 * options.cores;
  const idleIo: JobMix = { job: { kind: 'io.sleep', ms: IO_SLEEP_MS }, count: slots * 10 };
  const cell = (
    name: string,
    label: string,
    model: ModelName,
    task: string,
    perReplica: number,
    jobs: JobMix[],
    consumers: ConsumerShape[],
    warmUp?: AutoRoutingWarmUp,
  ): CellSpec => ({
    id: `misrouting/${name}`,
    experiment: 'misrouting',
    series: `misrouting/${name}`,
    label,
    model,
    task,
    perReplica,
    replicas: 1,
    jobs,
    consumers,
    ...(warmUp ? { warmUp } : {}),
  });
  const bothLanes = [ioConsumer(100), compute('worker-threads', options.cores)];
  const auto = autoRoutedJobs(ioJobs, cpuJobs);
  // The four cells that compare routings of one mixed workload: quick runs keep them all.
  const cells = [
    cell(
      'io-alone',
      'io jobs alone on the event loop',
      'event-loop',
      'io.sleep',
      100,
      [ioJobs],
      [ioConsumer(100)],
    ),
    cell(
      'cpu-on-io-lane',
      'io jobs with CPU jobs misrouted to the io lane',
      'event-loop',
      'io.sleep',
      100,
      [ioJobs, { job: { kind: 'cpu' }, count: cpuJobs, lane: 'io' }],
      [ioConsumer(100)],
    ),
    cell(
      'cpu-on-cpu-lane',
      'io jobs with CPU jobs on their own lane (worker threads)',
      'event-loop',
      'io.sleep',
      100,
      [ioJobs, { job: { kind: 'cpu' }, count: cpuJobs }],
      bothLanes,
    ),
    cell(
      'auto',
      'io and CPU jobs submitted with profile "auto", after a warm-up',
      'event-loop',
      'io.sleep',
      100,
      auto.jobs,
      bothLanes,
      auto.warmUp,
    ),
  ];
  if (options.quick) return cells;
  return [
    ...cells,
    cell(
      'io-on-event-loop',
      `io jobs on the event loop, concurrency ${slots}`,
      'event-loop',
      'io.sleep',
      slots,
      [idleIo],
      [ioConsumer(slots)],
    ),
    cell(
      'io-on-worker-threads',
      `io jobs misrouted to a pool of ${slots} worker threads`,
      'worker-threads',
      'io.sleep',
      slots,
      [{ ...idleIo, lane: 'cpu' }],
      [compute('worker-threads', slots)],
    ),
    cell(
      'io-on-processes',
      `io jobs misrouted to a pool of ${slots} processes`,
      'processes',
      'io.sleep',
      slots,
      [{ ...idleIo, lane: 'cpu' }],
      [compute('processes', slots)],
    ),
  ];
}

function horizontalCells(options: PlanOptions): CellSpec[] {
  const replicaCounts = options.quick ? [1, 2] : [1, 2, 4];
  return replicaCounts.map((replicas) => ({
    id: `horizontal/cpu/r${replicas}`,
    experiment: 'horizontal' as const,
    series: 'horizontal/cpu',
    label: `cpu job · ${replicas} single-threaded replica(s)`,
    model: 'pods' as const,
    task: 'cpu',
    perReplica: 1,
    replicas,
    jobs: [{ job: { kind: 'cpu' as const }, count: 24 * Math.min(replicas, options.cores) }],
    consumers: [compute('inline', 1, replicas)],
  }));
}

/** The lanes of the redis experiment: their tags hash to slots on three different masters of a 3-master cluster. */
export const REDIS_LANES = ['io', 'io2', 'io3'] as const;
const REDIS_SLEEP_MS = 1;
const REDIS_CONCURRENCY = 50;

/**
 * The same workload on one Redis and on a 3-master Redis Cluster: three io lanes, each with its own
 * io-consumer, taking 1 ms io.sleep jobs submitted in batches, so the queue round trips (Redis) are the
 * work rather than the jobs.
 */
export function redisCells(options: PlanOptions): CellSpec[] {
  // Runs of a second or more: shorter ones leave the CPU accounting (10 ms ticks) and the interval coarse.
  const perLane = options.quick ? 500 : 2000;
  return (['standalone', 'cluster'] as const).map((redis) => ({
    id: `redis/${redis}`,
    experiment: 'redis' as const,
    series: `redis/${redis}`,
    label: `${REDIS_LANES.length} io lanes · io.sleep ${REDIS_SLEEP_MS} ms · ${redis === 'cluster' ? 'a 3-master Redis Cluster' : 'one Redis'}`,
    model: 'event-loop' as const,
    task: 'io.sleep',
    perReplica: REDIS_CONCURRENCY,
    replicas: REDIS_LANES.length,
    redis,
    jobs: REDIS_LANES.map((lane) => ({
      job: { kind: 'io.sleep' as const, ms: REDIS_SLEEP_MS },
      count: perLane,
      lane,
    })),
    consumers: REDIS_LANES.map((lane) => ioConsumer(REDIS_CONCURRENCY, 1, lane)),
  }));
}

/**
 * The cells a local run measures. `--quick` keeps the smallest subset that still shows the claims: CPU
 * throughput rising with threads and processes up to the core count while inline stays flat, and I/O
 * throughput rising with event-loop concurrency far past it, and one mixed workload misrouted, routed
 * by hand and routed `auto`, and the redis experiment's two cells (about 40 s: it stays in).
 */
export function buildLocalPlan(options: PlanOptions): CellSpec[] {
  const wanted = (name: ExperimentName) => !options.only || options.only.includes(name);
  return [
    ...(wanted('cpu') ? cpuCells(options) : []),
    ...(wanted('io') ? ioCells(options) : []),
    ...(wanted('misrouting') ? misroutingCells(options) : []),
    ...(wanted('horizontal') && !options.quick ? horizontalCells(options) : []),
    ...(wanted('redis') ? redisCells(options) : []),
  ];
}
