export type { ExecutionOutcome, Executor, ExecutorTraits, RunHooks } from './executor';
export type { ExecutorOptions } from './executor-options';
export { createExecutor } from './create-executor';
export { ExecutorClosedError, failedRunCpuMs } from './execution-errors';
