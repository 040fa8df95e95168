import { setTimeout as sleep } from 'node:timers/promises';
import type { JobRequest, JobView } from '@switchyard/client';
import { SwitchyardClient } from '@switchyard/client';
import { percentile } from '@switchyard/stats';
import type { CellSpec, ConsumerShape } from '../plan';
import type { LabResults } from '../lab-results';
import {
  canMeasureForeignCpu,
  foreignCpuPercentOfCore,
  sampleForeignCpu,
  BUSY_FOREIGN_CPU_PERCENT_OF_CORE,
} from '../measure';
import { LocalStackTarget } from '../targets';
import type { CapacityAdvice, LaneAdvice } from './capacity-advice';

export interface ReplayOptions {
  /** How long jobs keep arriving. @defaultValue 20 s */
  seconds: number;
  p99Ms: number;
  redisUrl?: string;
  /** One log file per service here. @defaultValue logs are discarded */
  logDir?: string;
  signal?: AbortSignal;
}

export interface LaneReplay {
  lane: 'cpu' | 'io';
  jobs: number;
  failed: number;
  measuredP99Ms: number;
  predictedP99Ms: number;
  met: boolean;
}

export interface ReplayResult {
  lanes: LaneReplay[];
  /** CPU other processes took meanwhile, in % of one core; undefined without /proc. */
  foreignCpuPercentOfCore?: number;
  busy: boolean;
}

/** Batches of arrivals are sent this often: a job's clock starts when the api accepts it. */
const TICK_MS = 20;

/** The advised consumers as a local stack shape. */
function shapes(advice: CapacityAdvice): ConsumerShape[] {
  return advice.lanes.map((lane): ConsumerShape =>
    lane.lane === 'cpu'
      ? {
          app: 'compute' as const,
          replicas: lane.replicas,
          env: {
            EXECUTION_MODEL: lane.executionModel ?? 'worker-threads',
            POOL_SIZE: String(lane.perReplica),
          },
        }
      : {
          app: 'io-consumer' as const,
          replicas: lane.replicas,
          env: { IO_CONCURRENCY: String(lane.perReplica) },
        },
  );
}

function replayCell(advice: CapacityAdvice): CellSpec {
  return {
    id: 'advice/replay',
    experiment: 'horizontal',
    series: 'advice/replay',
    label: 'the advised shape at the advised rate',
    model: 'pods',
    task: 'mixed',
    perReplica: 1,
    replicas: 1,
    jobs: [],
    consumers: shapes(advice),
  };
}

/** Poisson arrival times in ms over `seconds` at `rate` jobs/s (exponential gaps). */
function arrivals(rate: number, seconds: number): number[] {
  const times: number[] = [];
  for (let at = -Math.log(1 - Math.random()) / rate; at < seconds; at += -Math.log(1 - Math.random()) / rate)
    times.push(at * 1000);
  return times;
}

function request(lane: LaneAdvice, results: LabResults): JobRequest {
  if (lane.lane === 'cpu') return { task: results.cpuJob.task, payload: results.cpuJob.payload };
  return { task: 'io.sleep', payload: { ms: 50 } };
}

/**
 * Applies the advice to a local stack (the advised replicas, pool size, concurrency and model), sends
 * each lane its rate as Poisson arrivals for `seconds`, and compares each lane's measured p99 of
 * createdAt → finishedAt with the model's prediction and the target.
 */
export async function replayAdvice(
  advice: CapacityAdvice,
  results: LabResults,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const target = new LocalStackTarget({
    quick: true,
    cores: results.machine.cores,
    redisUrl: options.redisUrl,
    logDir: options.logDir,
  });
  const signal = options.signal ?? new AbortController().signal;
  try {
    const prepared = await target.prepare(replayCell(advice), signal);
    const api = new SwitchyardClient(prepared.apiUrl);
    const schedule = advice.lanes
      .flatMap((lane) => arrivals(lane.ratePerSec, options.seconds).map((at) => ({ at, lane })))
      .sort((a, b) => a.at - b.at);
    const measureForeign = prepared.ownPids && canMeasureForeignCpu() ? prepared.ownPids : undefined;
    const foreignStart = measureForeign ? sampleForeignCpu(measureForeign) : undefined;
    const ids = new Map<'cpu' | 'io', string[]>(advice.lanes.map((lane) => [lane.lane, []]));
    const started = Date.now();
    let next = 0;
    while (next < schedule.length) {
      signal.throwIfAborted();
      const due: typeof schedule = [];
      while (next < schedule.length && schedule[next].at <= Date.now() - started) due.push(schedule[next++]);
      if (due.length > 0) {
        const accepted = await api.submitMany(
          due.map((entry) => request(entry.lane, results)),
          signal,
        );
        accepted.forEach((id, index) => ids.get(due[index].lane.lane)?.push(id));
      }
      await sleep(TICK_MS);
    }
    const all = [...ids.values()].flat();
    const views = await api.waitUntilDrained(all, { signal, timeoutMs: 120_000 });
    const foreignEnd = measureForeign ? sampleForeignCpu(measureForeign) : undefined;
    const byId = new Map<string, JobView>(views.map((view) => [view.id, view]));
    const lanes = advice.lanes.map((lane): LaneReplay => {
      const laneViews = (ids.get(lane.lane) ?? []).flatMap((id) => byId.get(id) ?? []);
      const completed = laneViews.filter((view) => view.state === 'completed');
      const measuredP99Ms = percentile(
        completed.map((view) => Date.parse(view.finishedAt ?? '') - Date.parse(view.createdAt)),
        99,
      );
      return {
        lane: lane.lane,
        jobs: laneViews.length,
        failed: laneViews.length - completed.length,
        measuredP99Ms,
        predictedP99Ms: lane.predictedP99Ms,
        met: completed.length === laneViews.length && measuredP99Ms <= options.p99Ms,
      };
    });
    const foreign =
      foreignStart && foreignEnd ? foreignCpuPercentOfCore(foreignStart, foreignEnd) : undefined;
    return {
      lanes,
      ...(foreign !== undefined ? { foreignCpuPercentOfCore: foreign } : {}),
      busy: foreign !== undefined && foreign > BUSY_FOREIGN_CPU_PERCENT_OF_CORE,
    };
  } finally {
    await target.close();
  }
}

/** The replay's verdict per lane, prediction beside measurement. */
export function formatReplay(replay: ReplayResult, p99Ms: number): string {
  const lines = replay.lanes.map(
    (lane) =>
      `replay ${lane.lane} lane: ${lane.jobs} jobs, p99 ${lane.measuredP99Ms.toFixed(0)} ms measured vs ${lane.predictedP99Ms.toFixed(0)} ms predicted (${(lane.measuredP99Ms / lane.predictedP99Ms).toFixed(2)}×); target ${p99Ms} ms ${lane.met ? 'met' : 'MISSED'}${lane.failed ? `; ${lane.failed} failed` : ''}`,
  );
  if (replay.foreignCpuPercentOfCore !== undefined)
    lines.push(
      `foreign CPU during the replay: ${replay.foreignCpuPercentOfCore.toFixed(0)} % of a core${replay.busy ? ' — BUSY machine: the measurement is suspect' : ''}`,
    );
  return lines.join('\n');
}
