import { applySpeedups, summarizeCell } from './cell-summary';
import { measureRun, type RunContext } from './cell-measurement';
import { calibrateCpuJob, type CalibratedCpuJob } from './cpu-calibration';
import { warmUpAutoRouting } from './auto-routing-warm-up';
import type { CellSpec } from '../plan';
import type { CellResult, ExperimentName, LabResults, RunMeasurement } from '../lab-results';
import type { LabTarget } from './lab-target';
import type { LabProgress } from './progress-reporter';
import { BUSY_FOREIGN_CPU_PERCENT_OF_CORE, canMeasureForeignCpu } from './foreign-cpu';
import { CONFIDENCE_LEVEL, RELATIVE_HALF_WIDTH, wantsAnotherRepeat } from './repeat-policy';
import { SwitchyardClient } from '@switchyard/client';

export interface LabRunOptions {
  quick: boolean;
  /** Repeats of each cell at least. @defaultValue 3 */
  repeat: number;
  /**
   * Repeats of a cell at most: past `repeat`, a cell repeats until its throughput median's 95 %
   * interval is within ±5 % or this cap is reached. @defaultValue `repeat` (exactly `repeat` runs)
   */
  maxRepeat?: number;
  only?: ExperimentName[];
  /** Base URL of the Jaeger UI, for trace links in the report. */
  jaegerUiUrl?: string;
  /** Give up on one repeat of a cell after this long. @defaultValue 120000 */
  runTimeoutMs?: number;
}

export interface RunLabParams {
  target: LabTarget;
  options: LabRunOptions;
  progress: LabProgress;
  /** Aborted on Ctrl-C: the runner stops, restores the target and returns partial results. */
  signal: AbortSignal;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

function cpuLaneOf(cell: CellSpec): string | undefined {
  return cell.jobs.find((mix) => mix.job.kind === 'cpu')?.lane;
}

/**
 * Runs every planned cell on the target, repeat by repeat, and folds the runs into results. Always
 * closes the target (stopping local stacks, restoring replica counts), also on error and Ctrl-C; an
 * interrupted run returns what it measured, marked partial.
 */
export async function runLab({ target, options, progress, signal }: RunLabParams): Promise<LabResults> {
  const startedAt = new Date().toISOString();
  const notes: string[] = [];
  const cells: CellResult[] = [];
  const skippedCells: string[] = [];
  let partialReason: string | undefined;
  let cpuJob: CalibratedCpuJob | undefined;
  let machine: LabResults['machine'] | undefined;
  const maxRepeat = Math.max(options.repeat, options.maxRepeat ?? options.repeat);
  try {
    machine = await target.describe();
    const plan = await target.plan();
    for (const [index, cell] of plan.entries()) {
      if (signal.aborted) {
        partialReason ??= 'interrupted (Ctrl-C)';
        skippedCells.push(cell.id);
        continue;
      }
      progress.cellStarted(index, plan.length, cell);
      const runs: RunMeasurement[] = [];
      let warmUp: CellResult['warmUp'];
      try {
        progress.cellStatus('preparing consumers');
        const prepared = await target.prepare(cell, signal);
        const api = new SwitchyardClient(prepared.apiUrl, { apiKey: prepared.apiKey });
        if (!cpuJob && cell.jobs.some((mix) => mix.job.kind === 'cpu')) {
          progress.cellStatus('calibrating the CPU job');
          cpuJob = await calibrateCpuJob(api, { lane: cpuLaneOf(cell), signal });
          progress.message(
            `CPU job: ${cpuJob.task} ${JSON.stringify(cpuJob.payload)} ≈ ${cpuJob.calibratedRunMs.toFixed(0)} ms`,
          );
        }
        const ownPids = prepared.ownPids && canMeasureForeignCpu() ? prepared.ownPids : undefined;
        const context: RunContext = {
          api,
          consumers: prepared.consumers,
          cpuJob,
          delayServerUrl: prepared.delayServerUrl,
          cores: machine.cores,
          measureHostCpu: target.measuresHostCpu,
          ownPids,
          ...(prepared.redisPids && canMeasureForeignCpu() ? { redisPids: prepared.redisPids } : {}),
          timeoutMs: options.runTimeoutMs ?? 120_000,
          signal,
        };
        if (cell.warmUp) {
          progress.cellStatus('warming up: until "auto" routes every task by its measured CPU ratio');
          warmUp = await warmUpAutoRouting(cell.warmUp, context);
          progress.message(
            `${cell.id}: "auto" routed by measurement after ${warmUp.rounds} warm-up round(s), ${warmUp.jobs} jobs`,
          );
        }
        while (wantsAnotherRepeat(runs, options.repeat, maxRepeat)) {
          const repeat = runs.length + 1;
          runs.push(
            await measureRun(cell, {
              ...context,
              onProgress: (finished, total) =>
                progress.cellStatus(
                  `run ${repeat} (${options.repeat}–${maxRepeat}) · ${finished}/${total} jobs`,
                ),
            }),
          );
        }
        const lanePlacement = await target.lanePlacement?.(cell).catch((error: unknown) => {
          notes.push(`${cell.id}: reading where the lanes' keys are failed: ${message(error)}`);
          return undefined;
        });
        const result = {
          ...summarizeCell(cell, runs, cpuJob?.task ?? 'cpu'),
          ...(warmUp ? { warmUp } : {}),
          ...(lanePlacement ? { lanePlacement } : {}),
        };
        cells.push(result);
        progress.cellFinished(result);
      } catch (error) {
        if (signal.aborted) {
          partialReason ??= 'interrupted (Ctrl-C)';
          skippedCells.push(cell.id);
          continue;
        }
        const result = {
          ...summarizeCell(cell, runs, cpuJob?.task ?? 'cpu', message(error)),
          ...(warmUp ? { warmUp } : {}),
        };
        cells.push(result);
        progress.cellFinished(result);
        await target
          .reset()
          .catch((resetError: unknown) =>
            notes.push(`reset after ${cell.id} failed: ${message(resetError)}`),
          );
      }
    }
  } catch (error) {
    partialReason = signal.aborted ? 'interrupted (Ctrl-C)' : `stopped by an error: ${message(error)}`;
  } finally {
    progress.cellStatus('restoring the target');
    await target.close().catch((error: unknown) => {
      notes.push(`closing the target failed: ${message(error)}`);
      partialReason ??= `closing the target failed: ${message(error)}`;
    });
    progress.close();
  }
  return {
    schemaVersion: 1,
    startedAt,
    finishedAt: new Date().toISOString(),
    partial: partialReason !== undefined,
    ...(partialReason ? { partialReason } : {}),
    options: {
      quick: options.quick,
      repeat: options.repeat,
      maxRepeat,
      ...(options.only ? { only: options.only } : {}),
      kube: target.kind === 'kubernetes',
    },
    machine: machine ?? {
      cores: 0,
      cpuModel: 'unknown',
      totalMemoryBytes: 0,
      node: process.version,
      redis: 'unknown',
      os: 'unknown',
      target: target.kind,
    },
    confidence: {
      method: 'order-statistic',
      level: CONFIDENCE_LEVEL,
      relativeHalfWidth: RELATIVE_HALF_WIDTH,
      busyPercentOfCore: BUSY_FOREIGN_CPU_PERCENT_OF_CORE,
    },
    cpuJob: cpuJob ?? { task: 'none', payload: {}, calibratedRunMs: 0 },
    ...(options.jaegerUiUrl ? { jaegerUiUrl: options.jaegerUiUrl } : {}),
    cells: applySpeedups(cells),
    skippedCells,
    notes: [...target.notes, ...notes],
  };
}
