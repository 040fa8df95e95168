/** A run that could not finish because its executor was closed (or was closed while it waited). */
export class ExecutorClosedError extends Error {
  override readonly name = 'ExecutorClosedError';
  constructor(model: string) {
    super(`the ${model} executor is closed; runs are refused once close() was called`);
  }
}

/** An error as it crosses a thread or process boundary: structured clone keeps only plain data. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'Error', message: `task threw a non-error value: ${String(error)}` };
}

/** Rebuilds the task's own error on this side: a plain Error with the original name, message and stack. */
export function deserializeError(serialized: SerializedError): Error {
  const error = new Error(serialized.message);
  error.name = serialized.name;
  if (serialized.stack) error.stack = serialized.stack;
  return error;
}
