import type { CellSpec } from '../plan';
import type { CellResult, RunMeasurement } from '../lab-results';
import { optionalSpread, spread } from '@switchyard/stats';
import { BUSY_FOREIGN_CPU_PERCENT_OF_CORE } from './foreign-cpu';
import { throughputConverged } from './repeat-policy';

/** Foreign CPU over all runs, weighted by each run's wall time; undefined when no run measured it. */
function foreignCpuOf(runs: readonly RunMeasurement[]): number | undefined {
  const measuredRuns = runs.filter((run) => run.foreignCpuPercentOfCore !== undefined);
  const wallMs = measuredRuns.reduce((sum, run) => sum + run.wallMs, 0);
  if (measuredRuns.length === 0 || wallMs <= 0) return undefined;
  return measuredRuns.reduce((sum, run) => sum + (run.foreignCpuPercentOfCore ?? 0) * run.wallMs, 0) / wallMs;
}

/** Folds a cell's repeats into medians and spreads. `cpuTask` names the calibrated CPU task. */
export function summarizeCell(
  spec: CellSpec,
  runs: RunMeasurement[],
  cpuTask: string,
  error?: string,
): CellResult {
  const pick = (metric: (run: RunMeasurement) => number) => spread(runs.map(metric));
  const pickOptional = (metric: (run: RunMeasurement) => number | undefined) =>
    optionalSpread(runs.map(metric));
  const foreignCpu = foreignCpuOf(runs);
  return {
    id: spec.id,
    experiment: spec.experiment,
    series: spec.series,
    label: spec.label,
    model: spec.model,
    task: spec.task === 'cpu' ? cpuTask : spec.task,
    perReplica: spec.perReplica,
    replicas: spec.replicas,
    workers: spec.perReplica * spec.replicas,
    jobsPerRun: spec.jobs.reduce((sum, mix) => sum + mix.count, 0),
    runs,
    throughputPerSec: pick((run) => run.throughputPerSec),
    parallelism: pick((run) => run.parallelism),
    latencyMs: {
      p50: pick((run) => run.latencyMs.p50),
      p95: pick((run) => run.latencyMs.p95),
      p99: pick((run) => run.latencyMs.p99),
    },
    queueWaitMs: pick((run) => run.meanQueueWaitMs),
    runMs: pick((run) => run.meanRunMs),
    eventLoopDelayP99Ms: pickOptional((run) => run.eventLoopDelayP99Ms),
    eventLoopUtilization: pickOptional((run) => run.eventLoopUtilization),
    cpuPercent: pickOptional((run) => run.machineCpuPercent ?? run.consumerCpuPercent),
    peakRssBytesPerReplica: pickOptional((run) => run.peakRssBytesPerReplica),
    ...(spec.redis ? { redisCpuPercentOfCore: pickOptional((run) => run.redisCpuPercentOfCore) } : {}),
    traceIds: runs.flatMap((run) => run.traceIds).slice(0, 3),
    ...(foreignCpu !== undefined ? { foreignCpuPercentOfCore: foreignCpu } : {}),
    busy: foreignCpu !== undefined && foreignCpu > BUSY_FOREIGN_CPU_PERCENT_OF_CORE,
    repeatsStoppedBy: throughputConverged(runs) ? 'converged' : 'cap',
    ...(error ? { error } : {}),
    ...(spec.redis ? { redis: spec.redis } : {}),
  };
}

/**
 * Sets speedup and parallel efficiency of every cell against the series' baseline: its cell with the
 * fewest workers (the 1-worker cell). A series of one cell, or whose baseline failed, gets neither.
 */
export function applySpeedups(cells: CellResult[]): CellResult[] {
  const bySeries = new Map<string, CellResult[]>();
  for (const cell of cells) bySeries.set(cell.series, [...(bySeries.get(cell.series) ?? []), cell]);
  return cells.map((cell) => {
    const series = (bySeries.get(cell.series) ?? []).filter(
      (member) => !member.error && member.runs.length > 0,
    );
    if (series.length < 2 || cell.error || cell.runs.length === 0) return cell;
    const baseline = series.reduce((best, member) => (member.workers < best.workers ? member : best));
    if (baseline.throughputPerSec.median <= 0) return cell;
    const speedup = cell.throughputPerSec.median / baseline.throughputPerSec.median;
    return { ...cell, speedup, efficiency: speedup / (cell.workers / baseline.workers) };
  });
}
