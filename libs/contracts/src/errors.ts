/** Every error a job can end with that is not the task's own, made in one place. */

export class JobCancelledError extends Error {
  override readonly name = 'JobCancelledError';
  constructor(readonly jobId?: string) {
    super(jobId ? `job ${jobId} was cancelled by a client request` : 'job was cancelled by a client request');
  }
}

export class JobTimeoutError extends Error {
  override readonly name = 'JobTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`job exceeded its timeout of ${timeoutMs} ms and was aborted`);
  }
}

/** The thread or child process running the task died (crash, process.exit, OOM). */
export class WorkerCrashedError extends Error {
  override readonly name = 'WorkerCrashedError';
  constructor(detail: string) {
    super(`the worker running the task died: ${detail}`);
  }
}

export class UnknownTaskError extends Error {
  override readonly name = 'UnknownTaskError';
  constructor(
    readonly task: string,
    readonly known: readonly string[],
  ) {
    super(`unknown task "${task}"; known tasks: ${known.join(', ')}`);
  }
}

/** Why an abort happened, carried as `AbortSignal.reason`. */
export function isCancellation(reason: unknown): reason is JobCancelledError {
  return reason instanceof JobCancelledError;
}

export function isTimeout(reason: unknown): reason is JobTimeoutError {
  return reason instanceof JobTimeoutError;
}
