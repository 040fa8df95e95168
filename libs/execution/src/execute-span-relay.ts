import {
  abandonExecuteSpan,
  executeOutcomeOf,
  exportExecuteSpan,
  type ExecuteSpanRecord,
  type ExecuteSpanStart,
} from '@switchyard/telemetry';
import type { ExecutionPlacement } from '@switchyard/contracts';
import { deserializeError } from './execution-errors';
import type { ExecutionOutcome } from './executor';
import type { RunReply } from './remote-run';

/**
 * The parent's side of one remote run's `execute <task>` span (see `runInExecuteSpan`): the thread
 * or child records the span and reports it; this exports it through the parent's SDK. When the
 * thread is terminated or the child killed (cancel, timeout, crash) before it reported the end,
 * the span is closed here with that outcome, so the trace still shows the run and why it stopped.
 */
export class ExecuteSpanRelay {
  #start?: ExecuteSpanStart;
  #done = false;

  /** The thread or child opened the span. */
  started(start: ExecuteSpanStart): void {
    this.#start = start;
  }

  /** The thread or child reported the finished span (absent when nothing was traced). */
  finished(record: ExecuteSpanRecord | undefined): void {
    if (!record || this.#done) return;
    this.#done = true;
    exportExecuteSpan(record);
  }

  /** The run ended without a report: `reason` is the abort reason or the crash. */
  abandoned(reason: unknown): void {
    if (!this.#start || this.#done) return;
    this.#done = true;
    exportExecuteSpan(abandonExecuteSpan(this.#start, executeOutcomeOf(reason), reason));
  }

  /**
   * Settles a run from the thread's or child's reply: exports its span, rethrows the task's own
   * error, or returns the outcome. `started` is called first: the reply may overtake the start event.
   */
  settle(reply: RunReply, started: (placement: ExecutionPlacement) => void): ExecutionOutcome {
    this.finished(reply.span);
    if (!reply.ok) throw deserializeError(reply.error);
    started(reply.placement);
    return {
      result: reply.result,
      placement: reply.placement,
      startedAt: reply.startedAt,
      finishedAt: reply.finishedAt,
    };
  }
}
