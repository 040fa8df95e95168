/**
 * Entry of every piscina thread (loaded by ThreadPoolExecutor from this file's compiled location).
 * Builds the catalog once per thread; `process.exit` here ends only this thread.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { createTaskCatalog, type TaskCatalogOptions } from '@switchyard/tasks';
import { runRemoteTask, type RunReply } from './remote-run';
import type { TaskInvocation } from './run-task';

/** What ThreadPoolExecutor puts in piscina's workerData. */
export interface ThreadWorkerData {
  catalog: TaskCatalogOptions;
  progressIntervalMs: number;
}

/** One piscina task: the invocation and a port for start and progress events, transferred with it. */
export interface ThreadTask {
  invocation: TaskInvocation;
  events: MessagePort;
}

const settings = workerData as ThreadWorkerData;
const catalog = createTaskCatalog({ ...settings.catalog, allowProcessExit: true });

export async function runThreadTask({ invocation, events }: ThreadTask): Promise<RunReply> {
  try {
    return await runRemoteTask(catalog, invocation, settings.progressIntervalMs, (event) =>
      events.postMessage(event),
    );
  } finally {
    events.close();
  }
}
