import { fewestServersFor, mmcResponseTimeQuantile } from '@switchyard/stats';
import type { CapacityInputs } from './capacity-inputs';

/** What was asked: the jobs per second each lane must carry and the p99 end-to-end target. */
export interface CapacityTarget {
  cpuRatePerSec?: number;
  ioRatePerSec?: number;
  p99Ms: number;
  /** CPU cores a compute pod may use: its pool size at most. @defaultValue the lab machine's cores */
  coresPerPod?: number;
}

export interface LaneAdvice {
  lane: 'cpu' | 'io';
  ratePerSec: number;
  replicas: number;
  /** POOL_SIZE (cpu) or IO_CONCURRENCY (io) per replica. */
  perReplica: number;
  executionModel?: 'worker-threads' | 'processes';
  /** CPU request per pod, in millicores. */
  cpuRequestMillicores: number;
  /** The model's p99 of end-to-end time with this advice, ms. */
  predictedP99Ms: number;
  /** Busy share of the servers (cpu: pool slots; io: the event loop's one core), 0–1. */
  utilization: number;
  reasoning: string[];
}

export interface CapacityAdvice {
  model: string[];
  lanes: LaneAdvice[];
  /** Lanes that could not be advised, and why. */
  refused: string[];
}

/** The one paragraph every advice prints: the queueing model and what it assumes. */
export const MODEL_STATEMENT = [
  'Model: M/M/c with Erlang C, per lane. Jobs arrive as a Poisson process at the given rate; c identical servers',
  '(cpu: pool slots across all replicas, each on its own core; io: concurrency slots) serve them first come first',
  'served with exponential service times at the rate the lab measured; the queue is unbounded. P(wait) is Erlang C,',
  'and the p99 is the 99th percentile of wait + service from its exact distribution. Exponential service is',
  'pessimistic for near-constant CPU jobs (their real tail is shorter); Redis and api round trips (a few ms',
  'locally) are not modelled; replicas are assumed to scale linearly (separate nodes), while pool slots within a',
  'pod scale with the efficiency the lab measured at its core count.',
];

/** An io-consumer's event loop is kept at this share of its core, so event-loop delay stays low. */
const IO_LOOP_UTILIZATION = 0.7;
const P99 = 0.99;

const ceilTo = (value: number, step: number) => Math.ceil(value / step) * step;

/** A warning line when the numbers behind a lane's advice were measured on a busy machine. */
const busyWarning = (cells: string[]) =>
  cells.length > 0
    ? [
        `WARNING: ${cells.join(', ')} ran on a busy machine (flagged BUSY): rerun the lab on a quiet one before trusting this`,
      ]
    : [];

function cpuAdvice(inputs: CapacityInputs, target: CapacityTarget, rate: number): LaneAdvice | string {
  const cpu = inputs.cpu;
  if (!cpu)
    return 'cpu lane: the results hold no worker-threads or processes cells (run the lab with the cpu experiment)';
  const coresPerPod = target.coresPerPod ?? inputs.cores;
  // Each slot serves at the single-worker rate times the efficiency measured with the pod's cores busy.
  const serviceRate = (1000 / cpu.serviceMs) * cpu.efficiency;
  const servers = fewestServersFor(rate, serviceRate, target.p99Ms / 1000, P99);
  if (servers === undefined) {
    const serviceP99 = (1000 * Math.log(100)) / serviceRate;
    return `cpu lane: a p99 of ${target.p99Ms} ms is out of reach: a job runs ${cpu.serviceMs.toFixed(0)} ms on average, and with exponential service times 1 % of jobs run over ${serviceP99.toFixed(0)} ms without waiting at all; ask for more`;
  }
  const poolSize = Math.max(1, Math.min(servers, coresPerPod));
  const replicas = Math.ceil(servers / poolSize);
  const total = replicas * poolSize;
  const predicted = 1000 * mmcResponseTimeQuantile(total, rate, serviceRate, P99);
  return {
    lane: 'cpu',
    ratePerSec: rate,
    replicas,
    perReplica: poolSize,
    executionModel: cpu.model,
    cpuRequestMillicores: poolSize * 1000,
    predictedP99Ms: predicted,
    utilization: rate / (total * serviceRate),
    reasoning: [
      ...busyWarning(cpu.busyCells),
      ...cpu.source.map((line) => `measured: ${line}`),
      `service rate per slot μ = ${cpu.efficiency.toFixed(2)} / ${cpu.serviceMs.toFixed(1)} ms = ${serviceRate.toFixed(1)} jobs/s; offered load a = λ/μ = ${(rate / serviceRate).toFixed(2)} erlangs`,
      `the fewest slots with p99 ≤ ${target.p99Ms} ms: c = ${servers}; at most ${coresPerPod} per pod (a busy slot takes a core) → ${replicas} replica(s) × POOL_SIZE ${poolSize} = ${total} slots`,
      `predicted p99 ${predicted.toFixed(0)} ms at utilization ${((100 * rate) / (total * serviceRate)).toFixed(0)} %; CPU request ${poolSize} core(s) per pod`,
      `execution model ${cpu.model}: the faster at the core count in the lab (threads when not distinguishable)`,
    ],
  };
}

function ioAdvice(inputs: CapacityInputs, target: CapacityTarget, rate: number): LaneAdvice | string {
  const io = inputs.io;
  if (!io)
    return 'io lane: the results hold no io.sleep cells with consumer /stats (run the lab with the io experiment)';
  const loopCapacity = (1000 / io.cpuMsPerJob) * IO_LOOP_UTILIZATION;
  const perReplicaCapacity = Math.min(loopCapacity, io.peakPerReplica * IO_LOOP_UTILIZATION);
  const replicas = Math.max(1, Math.ceil(rate / perReplicaCapacity));
  const serviceRate = 1000 / io.serviceMs;
  const slots = fewestServersFor(rate, serviceRate, target.p99Ms / 1000, P99);
  if (slots === undefined) {
    const serviceP99 = io.serviceMs * Math.log(100);
    return `io lane: a p99 of ${target.p99Ms} ms is out of reach: io jobs take ${io.serviceMs.toFixed(0)} ms on average, and with exponential service times 1 % take over ${serviceP99.toFixed(0)} ms without waiting at all; ask for more`;
  }
  const concurrency = Math.ceil(slots / replicas);
  const predicted = 1000 * mmcResponseTimeQuantile(concurrency * replicas, rate, serviceRate, P99);
  const cpuPerPod = (rate / replicas) * (io.cpuMsPerJob / 1000);
  return {
    lane: 'io',
    ratePerSec: rate,
    replicas,
    perReplica: concurrency,
    cpuRequestMillicores: Math.max(100, ceilTo(1000 * cpuPerPod, 50)),
    predictedP99Ms: predicted,
    utilization: cpuPerPod,
    reasoning: [
      ...busyWarning(io.busyCells),
      ...io.source.map((line) => `measured: ${line}`),
      `one event loop carries ${loopCapacity.toFixed(0)} jobs/s at ${100 * IO_LOOP_UTILIZATION} % of its core (and the lab saw at most ${io.peakPerReplica.toFixed(0)}, kept to ${100 * IO_LOOP_UTILIZATION} %) → ${replicas} replica(s) for ${rate} jobs/s`,
      `concurrency slots as M/M/c servers at μ = 1 / ${io.serviceMs.toFixed(1)} ms: the fewest with p99 ≤ ${target.p99Ms} ms is ${slots} → IO_CONCURRENCY ${concurrency} per replica`,
      `predicted p99 ${predicted.toFixed(0)} ms; event loop ${(100 * cpuPerPod).toFixed(0)} % busy per pod → CPU request ${Math.max(100, ceilTo(1000 * cpuPerPod, 50))}m`,
    ],
  };
}

/** Per-lane replicas, pool size or concurrency and CPU requests for a rate and a p99 target. */
export function adviseCapacity(inputs: CapacityInputs, target: CapacityTarget): CapacityAdvice {
  const lanes: LaneAdvice[] = [];
  const refused: string[] = [];
  const add = (advice: LaneAdvice | string) =>
    typeof advice === 'string' ? refused.push(advice) : lanes.push(advice);
  if (target.cpuRatePerSec !== undefined) add(cpuAdvice(inputs, target, target.cpuRatePerSec));
  if (target.ioRatePerSec !== undefined) add(ioAdvice(inputs, target, target.ioRatePerSec));
  return { model: MODEL_STATEMENT, lanes, refused };
}
