/** A run that could not finish because its executor was closed (or was closed while it waited). */
export class ExecutorClosedError extends Error {
  override readonly name = 'ExecutorClosedError';
  constructor(model: string) {
    super(`the ${model} executor is closed; runs are refused once close() was called`);
  }
}

/** The CPU a run used before its handler threw, keyed by the error it threw. */
const failedRunCpu = new WeakMap<object, number>();

/** Notes the CPU ms a run used before its handler threw `error` (an object; a thrown primitive keeps none). */
export function recordFailedRunCpu(error: unknown, cpuMs: number | undefined): void {
  if (cpuMs !== undefined && typeof error === 'object' && error !== null) failedRunCpu.set(error, cpuMs);
}

/**
 * The CPU ms a failed run used, as `ExecutionOutcome.cpuMs` measures it, when its handler threw. Undefined
 * for a run ended from outside (a timeout or a cancel: a pool's thread or child is killed, and on the event
 * loop the handler may still be running), and for an error that is not the task's own.
 */
export function failedRunCpuMs(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? failedRunCpu.get(error) : undefined;
}

/** An error as it crosses a thread or process boundary: structured clone keeps only plain data. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** See failedRunCpuMs. */
  cpuMs?: number;
}

export function serializeError(error: unknown): SerializedError {
  const cpuMs = failedRunCpuMs(error);
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack, cpuMs };
  return { name: 'Error', message: `task threw a non-error value: ${String(error)}`, cpuMs };
}

/** Rebuilds the task's own error on this side: a plain Error with the original name, message and stack. */
export function deserializeError(serialized: SerializedError): Error {
  const error = new Error(serialized.message);
  error.name = serialized.name;
  if (serialized.stack) error.stack = serialized.stack;
  recordFailedRunCpu(error, serialized.cpuMs);
  return error;
}
