import {
  JobCancelledError,
  type AttemptContext,
  type ComputeExecutionModel,
  type ExecutionModel,
  type ExecutionPlacement,
} from '@switchyard/contracts';
import { createExecutor, type Executor, type RunHooks } from '@switchyard/execution';

/** Two workers: the machine has two cores, shared with other test files. */
export const POOL_SIZE = 2;
/** Small, so that `diag.crash {mode: 'heap'}` reaches a worker's limit in well under a second. */
export const WORKER_MAX_HEAP_MB = 64;

export function testExecutor(model: ExecutionModel | ComputeExecutionModel): Executor {
  return createExecutor(model, {
    poolSize: POOL_SIZE,
    catalog: { httpAllowedHosts: [], diagnosticTasks: true },
    progressIntervalMs: 50,
    workerMaxHeapMb: WORKER_MAX_HEAP_MB,
  });
}

let nextJob = 0;

/**
 * `executor.run`'s arguments for a first attempt with a fresh job id and a generous timeout, unless
 * `extra` says otherwise: `executor.run(...request(task, payload))`.
 */
export function request(
  task: string,
  payload: unknown,
  extra: Partial<AttemptContext> & RunHooks = {},
): [AttemptContext, RunHooks] {
  nextJob++;
  const { signal, onStart, onProgress, ...attempt } = extra;
  return [
    {
      jobId: `job-${nextJob}`,
      task,
      payload,
      timeoutMs: 30_000,
      lane: 'test',
      profile: 'cpu',
      attempt: 1,
      queueWaitMs: 0,
      tenant: 'test',
      ...attempt,
    },
    { signal, onStart, onProgress },
  ];
}

/**
 * Starts a run and cancels it once its handler has started (so the work is really running), the way the
 * consumer does on a client's DELETE. Resolves with where it ran and how the run ended.
 */
export async function cancelOnceStarted(
  executor: Executor,
  task: string,
  payload: unknown,
  afterStartMs = 100,
): Promise<{ placement: ExecutionPlacement; error: unknown }> {
  const controller = new AbortController();
  let placement: ExecutionPlacement | undefined;
  const job = request(task, payload, {
    signal: controller.signal,
    onStart: (where) => {
      placement = where;
      setTimeout(() => controller.abort(new JobCancelledError(job[0].jobId)), afterStartMs);
    },
  });
  const error = await executor.run(...job).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!placement) throw new Error(`${task} was never started`);
  return { placement, error };
}

/** Whether an OS process still exists: signal 0 checks without sending anything. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}
