import type { CellSpec } from '../plan';
import type { CellResult, RunMeasurement } from '../lab-results';
import { optionalSpread, spread } from '@switchyard/stats';

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
    traceIds: runs.flatMap((run) => run.traceIds).slice(0, 3),
    ...(error ? { error } : {}),
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
