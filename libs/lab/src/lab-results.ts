import type { RoutingReason } from '@switchyard/contracts';
import type { Percentiles, Spread } from '@switchyard/stats';

export type { Percentiles, Spread };

/** What one consumer replica reported on `GET /stats` for one run. */
export interface ConsumerStatsSample {
  service: string;
  replica: number;
  pid: number;
  /** CPU the consumer used during the run, divided by wall time and cores, in percent. */
  cpuUtilizationPercent: number;
  peakRssBytes: number;
  eventLoopDelayP50Ms: number;
  eventLoopDelayP99Ms: number;
  /** Event-loop utilization, 0–1. */
  eventLoopUtilization: number;
}

/** Latency of the jobs of one task inside a run (a run may mix tasks, as the misrouting cells do). */
export interface TaskLatency {
  task: string;
  lane: string;
  jobs: number;
  latencyMs: Percentiles;
  meanQueueWaitMs: number;
  meanRunMs: number;
}

/** Where a run's jobs of one task went and why, from their job views' `routing`. */
export interface RoutedJobs {
  task: string;
  lane: string;
  reason: RoutingReason;
  jobs: number;
  /**
   * Median of the measured CPU/wall ratio the api routed these jobs by; present for reason `measured`
   * (jobs submitted as `profile: "auto"` after their task was measured).
   */
  cpuRatio?: number;
}

/** One repeat of one cell. */
export interface RunMeasurement {
  jobs: number;
  completed: number;
  failed: number;
  /** Completed jobs per second, from the first job's creation to the last job's finish. */
  throughputPerSec: number;
  wallMs: number;
  /**
   * Jobs running at once on average (Little's law: throughput × mean run time). One thread can never
   * exceed 1; it is how the report tells overlapped queue round trips from parallel execution.
   */
  parallelism: number;
  /** End-to-end latency (createdAt → finishedAt) of completed jobs. */
  latencyMs: Percentiles;
  meanQueueWaitMs: number;
  meanRunMs: number;
  byTask: TaskLatency[];
  /** Every job of the run (failed ones too) by task, lane and routing reason; absent in older results. */
  routing?: RoutedJobs[];
  /** Machine-wide CPU use during the run in percent of all cores (local runs only). */
  machineCpuPercent?: number;
  /**
   * CPU taken by processes outside the stack during the run (machine busy time from /proc/stat minus
   * the stack's processes, their children and the lab's own), in percent of one core; local runs on
   * Linux only.
   */
  foreignCpuPercentOfCore?: number;
  /**
   * CPU of the cell's redis-servers during the run, summed, in percent of one core (one Redis runs
   * commands on one thread, so it tops out near 100); the redis experiment only.
   */
  redisCpuPercentOfCore?: number;
  /** Consumers' CPU use summed, in percent of all cores; absent when no `/stats` could be read. */
  consumerCpuPercent?: number;
  /** Worst event-loop delay p99 among the consumers. */
  eventLoopDelayP99Ms?: number;
  /** Highest event-loop utilization among the consumers, 0–1. */
  eventLoopUtilization?: number;
  /** Highest peak RSS among the consumer replicas. */
  peakRssBytesPerReplica?: number;
  consumers: ConsumerStatsSample[];
  /** A few trace ids of this run's jobs, when telemetry is on. */
  traceIds: string[];
}

export type ExperimentName = 'io' | 'cpu' | 'misrouting' | 'horizontal' | 'redis';
export const EXPERIMENT_NAMES: readonly ExperimentName[] = ['io', 'cpu', 'misrouting', 'horizontal', 'redis'];

/** Where one lane's keys were after a cell's runs: the Redis node holding them and its hash slot. */
export interface LanePlacement {
  lane: string;
  /** `host:port` of the node (a cluster master, or the one Redis). */
  node: string;
  /** For a cluster: the node's index among the masters in slot order (0 holds slot 0). */
  master?: number;
  /** `CLUSTER KEYSLOT` of the lane's hash tag; absent on a standalone Redis. */
  slot?: number;
  /** The lane's keys found on that node by SCAN. */
  keys: number;
}

/** The concurrency model a cell measures, as the report's comparison table names it. */
export type ModelName = 'event-loop' | 'worker-threads' | 'processes' | 'inline' | 'pods';

/** What names a cell, in the plan and in the results. */
export interface CellIdentity {
  id: string;
  experiment: ExperimentName;
  /** Cells of one series share a baseline: speedup and efficiency are against its 1-worker cell. */
  series: string;
  label: string;
  model: ModelName;
  /** The task the cell's headline numbers are about. */
  task: string;
  /** Jobs interleaved or run in parallel by one replica (io concurrency or pool size). */
  perReplica: number;
  replicas: number;
}

/** One cell of the matrix, its repeats and the numbers derived from them. */
export interface CellResult extends CellIdentity {
  /** perReplica × replicas: the x axis of the scaling charts. */
  workers: number;
  jobsPerRun: number;
  runs: RunMeasurement[];
  throughputPerSec: Spread;
  parallelism: Spread;
  latencyMs: { p50: Spread; p95: Spread; p99: Spread };
  queueWaitMs: Spread;
  runMs: Spread;
  /** Throughput over the series baseline's throughput; absent when the series has no baseline. */
  speedup?: number;
  /** speedup / (workers / baseline workers), 0–1 where 1 is linear scaling. */
  efficiency?: number;
  eventLoopDelayP99Ms?: Spread;
  eventLoopUtilization?: Spread;
  cpuPercent?: Spread;
  peakRssBytesPerReplica?: Spread;
  traceIds: string[];
  /**
   * Foreign CPU over the cell's repeats (total foreign CPU time / total wall time), in percent of one
   * core; absent where it cannot be measured (a cluster, no /proc).
   */
  foreignCpuPercentOfCore?: number;
  /** Foreign CPU above the busy threshold (BUSY_FOREIGN_CPU_PERCENT_OF_CORE): its numbers are suspect. */
  busy: boolean;
  /**
   * Why the repeats stopped: `converged` when the throughput median's 95 % interval came within
   * ±5 % (`intervalTarget`), `cap` when the repeat cap came first.
   */
  repeatsStoppedBy: 'converged' | 'cap';
  /**
   * For cells submitted `auto`: the warm-up before the repeats, in rounds of jobs, until every job of a
   * round was routed by measurement.
   */
  warmUp?: { rounds: number; jobs: number };
  /** Set when the cell could not be measured. */
  error?: string;
  /** The redis experiment: its redis-servers' CPU in percent of one core, summed over the nodes. */
  redisCpuPercentOfCore?: Spread;
  /** The redis experiment: which Redis the cell ran on. */
  redis?: 'standalone' | 'cluster';
  /** The redis experiment: where each lane's keys landed, read after the runs. */
  lanePlacement?: LanePlacement[];
}

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  totalMemoryBytes: number;
  node: string;
  redis: string;
  os: string;
  /** `local` for a stack on this machine, `kubernetes` for a cluster (the numbers are the cluster's). */
  target: 'local' | 'kubernetes';
  kubeContext?: string;
  namespace?: string;
}

/** Everything a lab run measured: the contents of `results.json`. */
export interface LabResults {
  schemaVersion: 1;
  startedAt: string;
  finishedAt: string;
  /** True when the run was interrupted (Ctrl-C or an error) and some cells are missing. */
  partial: boolean;
  partialReason?: string;
  /** `repeat` is the minimum of repeats per cell, `maxRepeat` the cap. */
  options: { quick: boolean; repeat: number; maxRepeat: number; only?: ExperimentName[]; kube: boolean };
  /**
   * How the numbers' confidence was judged: the interval method, the relative half-width at which a
   * cell stops repeating, and the foreign-CPU threshold above which a cell is flagged busy.
   */
  confidence: {
    method: 'order-statistic';
    level: number;
    relativeHalfWidth: number;
    busyPercentOfCore: number;
  };
  machine: MachineInfo;
  /** The CPU job used by the cpu cells, calibrated at start. */
  cpuJob: { task: string; payload: Record<string, unknown>; calibratedRunMs: number };
  jaegerUiUrl?: string;
  cells: CellResult[];
  /** Cells that were planned but not run (partial runs). */
  skippedCells: string[];
  notes: string[];
}
