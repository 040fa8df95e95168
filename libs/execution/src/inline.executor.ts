import type { ExecutionModel } from '@switchyard/contracts';
import { EventLoopExecutor } from './event-loop.executor';
import type { AbortBehaviour } from './in-process-run';

/**
 * Runs CPU handlers on the consumer's own event loop: the anti-pattern, kept on purpose as the
 * baseline that shows blocking. While a handler computes, nothing else on this thread runs — no
 * other job, no timer, no cancel message, no health check.
 *
 * Consequently a timeout or a cancel can only be noticed after the handler returns: the run then
 * rejects with JobTimeoutError (the deadline passed) or JobCancelledError (the signal fired), and its
 * result is discarded. The work itself is never cut short; a handler that yields between chunks
 * (io.sleep) does see ctx.signal fire. A runaway, `process.exit` or an exhausted heap takes the consumer
 * with it, as on the event loop (see EventLoopExecutor); with the inline lane's long lock, the job is
 * put back only once that lock expires.
 */
export class InlineExecutor extends EventLoopExecutor {
  override readonly model: ExecutionModel = 'inline';
  protected override readonly abortBehaviour: AbortBehaviour = 'after-return';
}
