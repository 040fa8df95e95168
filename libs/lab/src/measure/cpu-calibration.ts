import type { SwitchyardClient } from '@switchyard/client';

/** The CPU job the cpu cells submit, chosen and sized at the start of a run. */
export interface CalibratedCpuJob {
  task: string;
  payload: Record<string, unknown>;
  calibratedRunMs: number;
}

export interface CalibrationOptions {
  /** Run time to aim for, in ms of one core. @defaultValue 30 */
  targetMs?: number;
  /** The lane with a consumer to calibrate on. @defaultValue the task's default lane */
  lane?: string;
  signal?: AbortSignal;
}

/** A run time in this window is close enough to the target. */
const ACCEPTED = { minMs: 24, maxMs: 40 };
const MAX_ROUNDS = 6;
const SAMPLES = 3;
/** cpu.primes refuses larger limits. */
const MAX_PRIMES_LIMIT = 2_000_000_000;

/**
 * Run time of a job of this size: the fastest of a few, since on a shared machine other load only
 * ever makes a run slower.
 */
async function fastestRunMs(
  api: SwitchyardClient,
  task: string,
  payload: Record<string, unknown>,
  lane: string | undefined,
  signal: AbortSignal | undefined,
): Promise<number> {
  const ids = await api.submitMany(
    Array.from({ length: SAMPLES }, () => ({ task, payload, ...(lane ? { lane } : {}) })),
    signal,
  );
  const views = await api.waitUntilDrained(ids, { signal, timeoutMs: 60_000 });
  const failed = views.find((view) => view.state !== 'completed' || view.runMs === undefined);
  if (failed) {
    throw new Error(
      `calibration job ${task} ${JSON.stringify(payload)} ended ${failed.state}: ${JSON.stringify(failed.error)}`,
    );
  }
  return Math.min(...views.map((view) => view.runMs ?? Infinity));
}

/**
 * Sizes `cpu.primes` so one job takes about 30 ms (24–40) of one core on the consumers that will run it,
 * by running a few jobs per size and scaling the limit (the sieve's cost is close to linear in it).
 * Falls back to `diag.spin` (a calibrated busy loop, when DIAGNOSTIC_TASKS is on) if `cpu.primes` is absent.
 */
export async function calibrateCpuJob(
  api: SwitchyardClient,
  options: CalibrationOptions = {},
): Promise<CalibratedCpuJob> {
  const targetMs = options.targetMs ?? 30;
  const tasks = await api.taskNames(options.signal);
  if (!tasks.includes('cpu.primes')) {
    if (!tasks.includes('diag.spin')) {
      throw new Error(
        `the API offers neither cpu.primes nor diag.spin (tasks: ${tasks.join(', ')}); the lab needs one of them`,
      );
    }
    const payload = { ms: targetMs };
    return {
      task: 'diag.spin',
      payload,
      calibratedRunMs: await fastestRunMs(api, 'diag.spin', payload, options.lane, options.signal),
    };
  }
  let limit = 5_000_000;
  // The first runs pay for worker start-up and JIT warm-up: measure after them.
  await fastestRunMs(api, 'cpu.primes', { limit }, options.lane, options.signal);
  let runMs = await fastestRunMs(api, 'cpu.primes', { limit }, options.lane, options.signal);
  for (let round = 1; round < MAX_ROUNDS && (runMs < ACCEPTED.minMs || runMs > ACCEPTED.maxMs); round++) {
    const factor = Math.min(8, Math.max(1 / 8, targetMs / Math.max(runMs, 0.5)));
    limit = Math.min(MAX_PRIMES_LIMIT, Math.max(1000, Math.round(limit * factor)));
    runMs = await fastestRunMs(api, 'cpu.primes', { limit }, options.lane, options.signal);
  }
  return { task: 'cpu.primes', payload: { limit }, calibratedRunMs: runMs };
}
