export type { ExecutionRequest, ExecutionOutcome, PoolStats, Executor } from './executor';
export type { ExecutorOptions } from './executor-options';
export { createExecutor } from './create-executor';
export { ExecutorClosedError } from './execution-errors';
export { runTask, type TaskInvocation, type TaskRunHooks } from './run-task';
