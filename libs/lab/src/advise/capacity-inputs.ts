import { spread } from '@switchyard/stats';
import { cellAtMost, distinguishable, seriesCells } from '../report/cell-queries';
import type { CellResult, LabResults } from '../lab-results';

/** What the advice is computed from, each number traced to the cells it came from. */
export interface CpuLaneInputs {
  /** The pool model the advice uses: the faster of threads and processes at the core count. */
  model: 'worker-threads' | 'processes';
  /** Run time of one job on one worker, ms (median of the 1-worker cell). */
  serviceMs: number;
  /** Throughput per worker at `measuredPool` workers over one worker's, 0–1. */
  efficiency: number;
  /** The pool size the efficiency was measured at (the machine's cores). */
  measuredPool: number;
  source: string[];
  /** The cells it came from that ran on a busy machine: the advice is only as good as they are. */
  busyCells: string[];
}

export interface IoLaneInputs {
  /** Run time of one io job, ms (median over the io cells): mostly waiting. */
  serviceMs: number;
  /** Event-loop CPU per job, ms: consumer CPU over the io runs divided by their jobs. */
  cpuMsPerJob: number;
  /** The highest throughput one io-consumer replica reached in the lab, jobs/s. */
  peakPerReplica: number;
  source: string[];
  busyCells: string[];
}

export interface CapacityInputs {
  cores: number;
  cpu?: CpuLaneInputs;
  io?: IoLaneInputs;
}

function cpuInputs(results: LabResults): CpuLaneInputs | undefined {
  const cores = results.machine.cores;
  const candidates = (['worker-threads', 'processes'] as const).flatMap((model) => {
    const series = seriesCells(results.cells, `cpu/${model}`).filter((cell) => cell.replicas === 1);
    const first = series[0];
    const atCores = cellAtMost(series, cores);
    return first && atCores ? [{ model, first, atCores }] : [];
  });
  if (candidates.length === 0) return undefined;
  // Threads win a tie: one process per pod, less memory.
  const [best] = [...candidates].sort((a, b) => {
    if (!distinguishable(a.atCores.throughputPerSec, b.atCores.throughputPerSec))
      return a.model === 'worker-threads' ? -1 : 1;
    return b.atCores.throughputPerSec.median - a.atCores.throughputPerSec.median;
  });
  const efficiency = Math.min(1, Math.max(0.05, best.atCores.efficiency ?? 1));
  return {
    model: best.model,
    serviceMs: best.first.runMs.median,
    efficiency,
    measuredPool: best.atCores.workers,
    busyCells: [best.first, best.atCores].filter((cell) => cell.busy).map((cell) => cell.id),
    source: [
      `${best.first.id}: run time ${best.first.runMs.median.toFixed(1)} ms per job`,
      `${best.atCores.id}: efficiency ${(100 * efficiency).toFixed(0)} % at ${best.atCores.workers} workers`,
    ],
  };
}

/** Consumer CPU per completed job over one run, ms; undefined without /stats. */
function cpuMsPerJob(cell: CellResult, cores: number): number[] {
  return cell.runs.flatMap((run) => {
    if (run.consumers.length === 0 || run.completed === 0) return [];
    const cpuMs = run.consumers.reduce(
      (sum, consumer) => sum + (consumer.cpuUtilizationPercent / 100) * cores * run.wallMs,
      0,
    );
    return [cpuMs / run.completed];
  });
}

function ioInputs(results: LabResults): IoLaneInputs | undefined {
  const cells = seriesCells(results.cells, 'io.sleep');
  const single = cells.filter((cell) => cell.replicas === 1);
  if (single.length === 0) return undefined;
  // At concurrency 1 the loop idles between jobs; CPU per job is steady once jobs overlap.
  const busy = single.filter((cell) => cell.perReplica >= 10);
  const perJob = spread(
    (busy.length ? busy : single).flatMap((cell) => cpuMsPerJob(cell, results.machine.cores)),
  );
  const peak = single.reduce((best, cell) =>
    cell.throughputPerSec.median > best.throughputPerSec.median ? cell : best,
  );
  if (perJob.median <= 0) return undefined;
  return {
    serviceMs: spread(single.map((cell) => cell.runMs.median)).median,
    cpuMsPerJob: perJob.median,
    peakPerReplica: peak.throughputPerSec.median,
    busyCells: single.filter((cell) => cell.busy).map((cell) => cell.id),
    source: [
      `io.sleep cells on one replica: run time ${spread(single.map((cell) => cell.runMs.median)).median.toFixed(1)} ms per job`,
      `io-consumer CPU ${perJob.median.toFixed(2)} ms per job (median over ${busy.length || single.length} cells' runs)`,
      `${peak.id}: ${peak.throughputPerSec.median.toFixed(0)} jobs/s, the most one replica carried`,
    ],
  };
}

/** The lab numbers the capacity advice needs; a lane is absent when its cells were not run. */
export function capacityInputs(results: LabResults): CapacityInputs {
  return { cores: results.machine.cores, cpu: cpuInputs(results), io: ioInputs(results) };
}
