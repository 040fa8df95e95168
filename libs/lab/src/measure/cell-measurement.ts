import type { JobView } from '@switchyard/contracts';
import { readConsumerStats, type ConsumerEndpoint, type ConsumerStats } from './consumer-stats-client';
import type { CalibratedCpuJob } from './cpu-calibration';
import type { CellSpec, JobMix } from '../plan';
import type { ConsumerStatsSample, RoutedJobs, RunMeasurement, TaskLatency } from '../lab-results';
import { cpuPercentBetween, sampleCpu } from './machine-info';
import {
  foreignCpuPercentOfCore,
  processesCpuPercentOfCore,
  sampleForeignCpu,
  sampleProcessesCpu,
} from './foreign-cpu';
import { mean, percentiles, spread } from '@switchyard/stats';
import type { JobRequest, SwitchyardClient } from '@switchyard/client';

/** What a run needs besides the cell: the run-time values its jobs are made from. */
export interface RunContext {
  api: SwitchyardClient;
  consumers: ConsumerEndpoint[];
  cpuJob?: CalibratedCpuJob;
  delayServerUrl?: string;
  cores: number;
  measureHostCpu: boolean;
  /**
   * The stack's processes on this machine (services, Redis): their CPU and their descendants' is the
   * stack's own; the rest of the machine's is foreign. Absent: foreign CPU is not measured.
   */
  ownPids?: readonly number[];
  /** The cell's redis-servers, whose CPU is reported on its own (the redis experiment). */
  redisPids?: readonly number[];
  /** Give up on a run after this long. */
  timeoutMs: number;
  signal: AbortSignal;
  onProgress?: (finished: number, total: number) => void;
}

/** Generous per-job timeout: a job that hits it would distort the cell anyway. */
const JOB_TIMEOUT_MS = 120_000;
const TRACE_SAMPLES = 3;

function toRequest({ job: kind, lane, profile }: JobMix, context: RunContext): JobRequest {
  const routed = lane ? { lane } : profile ? { profile } : {};
  switch (kind.kind) {
    case 'io.sleep':
      return { task: 'io.sleep', payload: { ms: kind.ms }, timeoutMs: JOB_TIMEOUT_MS, ...routed };
    case 'io.http':
      if (!context.delayServerUrl) throw new Error('io.http cells need the delay server');
      return {
        task: 'io.http',
        payload: { url: `${context.delayServerUrl}?ms=${kind.delayMs}`, method: 'GET' },
        timeoutMs: JOB_TIMEOUT_MS,
        ...routed,
      };
    case 'cpu':
      if (!context.cpuJob) throw new Error('cpu cells need the calibrated CPU job');
      return {
        task: context.cpuJob.task,
        payload: context.cpuJob.payload,
        timeoutMs: JOB_TIMEOUT_MS,
        ...routed,
      };
  }
}

/** A cell's jobs, interleaved so mixed cells (misrouting) keep both kinds in flight together. */
export function buildRequests(jobs: readonly JobMix[], context: RunContext): JobRequest[] {
  const queues = jobs.map((mix) => Array.from({ length: mix.count }, () => toRequest(mix, context)));
  const total = queues.reduce((sum, queue) => sum + queue.length, 0);
  const taken = queues.map(() => 0);
  const requests: JobRequest[] = [];
  while (requests.length < total) {
    // Take from the mix that is furthest behind its share, so 20 CPU jobs spread across 400 io jobs.
    let pick = 0;
    let lowest = Infinity;
    queues.forEach((queue, index) => {
      const share = taken[index] / queue.length;
      if (taken[index] < queue.length && share < lowest) {
        lowest = share;
        pick = index;
      }
    });
    requests.push(queues[pick][taken[pick]++]);
  }
  return requests;
}

const epoch = (iso?: string) => (iso ? Date.parse(iso) : NaN);

function latencyOf(view: JobView): number {
  return epoch(view.finishedAt) - epoch(view.createdAt);
}

function queueWaitOf(view: JobView): number {
  return view.queueWaitMs ?? epoch(view.startedAt) - epoch(view.createdAt);
}

function runMsOf(view: JobView): number {
  return view.runMs ?? epoch(view.finishedAt) - epoch(view.startedAt);
}

function byTask(views: JobView[]): TaskLatency[] {
  const groups = new Map<string, JobView[]>();
  for (const view of views) {
    const key = `${view.task}\u0000${view.lane}`;
    groups.set(key, [...(groups.get(key) ?? []), view]);
  }
  return [...groups.values()].map((group) => ({
    task: group[0].task,
    lane: group[0].lane,
    jobs: group.length,
    latencyMs: percentiles(group.map(latencyOf)),
    meanQueueWaitMs: mean(group.map(queueWaitOf)),
    meanRunMs: mean(group.map(runMsOf)),
  }));
}

/** Counts the jobs per task, lane and routing reason: where `auto` sent them, and by what ratio. */
export function routedJobs(views: readonly JobView[]): RoutedJobs[] {
  const groups = new Map<string, JobView[]>();
  for (const view of views) {
    const key = [view.task, view.routing.lane, view.routing.reason].join('\u0000');
    groups.set(key, [...(groups.get(key) ?? []), view]);
  }
  return [...groups.values()].map((group) => {
    const ratios = group.flatMap((view) =>
      view.routing.cpuRatio === undefined ? [] : [view.routing.cpuRatio],
    );
    const { task, routing } = group[0];
    return {
      task,
      lane: routing.lane,
      reason: routing.reason,
      jobs: group.length,
      ...(ratios.length > 0 ? { cpuRatio: spread(ratios).median } : {}),
    };
  });
}

/** `cpu` in /stats is the process's total so far: the run's share is the difference to the reset's reading. */
function statsSample(
  endpoint: ConsumerEndpoint,
  before: ConsumerStats | undefined,
  stats: ConsumerStats,
  wallMs: number,
  cores: number,
): ConsumerStatsSample {
  const total = (sample: ConsumerStats | undefined) =>
    sample ? sample.cpu.userMicros + sample.cpu.systemMicros : 0;
  const cpuMs = (total(stats) - total(before)) / 1000;
  return {
    service: endpoint.service,
    replica: endpoint.replica,
    pid: stats.pid,
    cpuUtilizationPercent: wallMs > 0 ? (100 * cpuMs) / wallMs / cores : 0,
    peakRssBytes: stats.memory.maxRssBytes,
    eventLoopDelayP50Ms: stats.eventLoop.delayP50Ms,
    eventLoopDelayP99Ms: stats.eventLoop.delayP99Ms,
    eventLoopUtilization: stats.eventLoop.utilization,
  };
}

const maxOf = (values: number[]) => (values.length === 0 ? undefined : Math.max(...values));

/** Runs one repeat of a cell: reset the consumers' stats, submit, wait for every job, collect. */
export async function measureRun(cell: CellSpec, context: RunContext): Promise<RunMeasurement> {
  const requests = buildRequests(cell.jobs, context);
  const before = await Promise.all(
    context.consumers.map((consumer) => readConsumerStats(consumer.statsUrl, true)),
  );
  const cpuStart = sampleCpu();
  const foreignStart = context.ownPids ? sampleForeignCpu(context.ownPids) : undefined;
  const redisStart = context.redisPids ? sampleProcessesCpu(context.redisPids) : undefined;
  const wallStart = Date.now();
  const ids = await context.api.submitMany(requests, context.signal);
  const views = await context.api.waitUntilDrained(ids, {
    signal: context.signal,
    timeoutMs: context.timeoutMs,
    onProgress: (finished) => context.onProgress?.(finished, ids.length),
  });
  const wallMs = Date.now() - wallStart;
  const cpuEnd = sampleCpu();
  const foreignEnd = context.ownPids ? sampleForeignCpu(context.ownPids) : undefined;
  const redisEnd = context.redisPids ? sampleProcessesCpu(context.redisPids) : undefined;
  const samples: ConsumerStatsSample[] = [];
  for (const [index, consumer] of context.consumers.entries()) {
    const stats = await readConsumerStats(consumer.statsUrl);
    if (stats) samples.push(statsSample(consumer, before[index], stats, wallMs, context.cores));
  }
  const completed = views.filter((view) => view.state === 'completed');
  const headline = completed.filter((view) => cell.task === 'cpu' || view.task === cell.task);
  const firstCreated = Math.min(...views.map((view) => epoch(view.createdAt)));
  const lastFinished = Math.max(...completed.map((view) => epoch(view.finishedAt)));
  const spanMs = Math.max(1, lastFinished - firstCreated);
  return {
    jobs: views.length,
    completed: completed.length,
    failed: views.length - completed.length,
    throughputPerSec: completed.length === 0 ? 0 : (1000 * completed.length) / spanMs,
    wallMs,
    parallelism: (completed.length * mean(completed.map(runMsOf))) / spanMs,
    latencyMs: percentiles(headline.map(latencyOf)),
    meanQueueWaitMs: mean(headline.map(queueWaitOf)),
    meanRunMs: mean(headline.map(runMsOf)),
    byTask: byTask(completed),
    routing: routedJobs(views),
    machineCpuPercent: context.measureHostCpu ? cpuPercentBetween(cpuStart, cpuEnd) : undefined,
    foreignCpuPercentOfCore:
      foreignStart && foreignEnd ? foreignCpuPercentOfCore(foreignStart, foreignEnd) : undefined,
    ...(redisStart && redisEnd
      ? { redisCpuPercentOfCore: processesCpuPercentOfCore(redisStart, redisEnd) }
      : {}),
    consumerCpuPercent: samples.length
      ? samples.reduce((sum, sample) => sum + sample.cpuUtilizationPercent, 0)
      : undefined,
    eventLoopDelayP99Ms: maxOf(samples.map((sample) => sample.eventLoopDelayP99Ms)),
    eventLoopUtilization: maxOf(samples.map((sample) => sample.eventLoopUtilization)),
    peakRssBytesPerReplica: maxOf(samples.map((sample) => sample.peakRssBytes)),
    consumers: samples,
    traceIds: completed.flatMap((view) => (view.traceId ? [view.traceId] : [])).slice(0, TRACE_SAMPLES),
  };
}
