import type { TaskContext } from '@switchyard/contracts';

/**
 * Called between chunks of synchronous CPU work: stops the work if the job was aborted (on the
 * event loop the signal can only flip between chunks that yield; in threads and children the executor
 * kills the worker instead) and reports how far it got.
 */
export function checkpoint(ctx: TaskContext, done: number, total: number): void {
  ctx.signal.throwIfAborted();
  ctx.progress(total > 0 ? Math.min(100, (done / total) * 100) : 100);
}
