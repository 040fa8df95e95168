/**
 * Entry of every piscina thread (loaded by ThreadPool from this file's compiled location).
 * Builds the catalog once per thread; `process.exit` here ends only this thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AttemptContext } from '@switchyard/contracts';
import { createTaskCatalog, type TaskCatalogOptions } from '@switchyard/tasks';
import { ownCpuMeter } from './cpu-meter';
import { runRemoteTask, type RunEvent, type RunReply } from './remote-run';
import type { TaskRunner } from './run-task';

/** What ThreadPool puts in piscina's workerData. */
export interface ThreadWorkerData {
  catalog: TaskCatalogOptions;
  progressIntervalMs: number;
}

/** One piscina task: the attempt as the lane worker built it, and the id its events are sent under. */
export interface ThreadTask {
  runId: number;
  attempt: AttemptContext;
}

/** A run's event, posted on this thread's `parentPort` (piscina emits it as the pool's `message`). */
export interface ThreadEvent {
  runId: number;
  event: RunEvent;
}

const settings = workerData as ThreadWorkerData;
const runner: TaskRunner = {
  catalog: createTaskCatalog({ ...settings.catalog, allowProcessExit: true }),
  model: 'worker-threads',
  progressIntervalMs: settings.progressIntervalMs,
  cpuMeter: ownCpuMeter(),
};

export function runThreadTask({ runId, attempt }: ThreadTask): Promise<RunReply> {
  return runRemoteTask(runner, attempt, (event) => {
    const message: ThreadEvent = { runId, event };
    parentPort?.postMessage(message);
  });
}
