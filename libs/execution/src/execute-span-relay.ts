import {
  abandonExecuteSpan,
  executeOutcomeOf,
  exportExecuteSpan,
  type ExecuteSpanRecord,
  type ExecuteSpanStart,
} from '@switchyard/telemetry';

/**
 * The parent's side of one remote run's `execute <task>` span (see `runInExecuteSpan`): the thread
 * or child records the span and reports it; this exports it through the parent's SDK. When the
 * thread is terminated or the child killed (cancel, timeout, crash) before it reported the end,
 * the span is closed here with that outcome, so the trace still shows the run and why it stopped,
 * even when the report that the span opened arrives after the run was given up.
 */
export class ExecuteSpanRelay {
  #start?: ExecuteSpanStart;
  /** Why the run was given up, once it was: a span opened after that is closed at once. */
  #abandonedBy?: { reason: unknown };
  #done = false;

  /** The thread or child opened the span. */
  started(start: ExecuteSpanStart): void {
    this.#start = start;
    if (this.#abandonedBy) this.abandoned(this.#abandonedBy.reason);
  }

  /** The thread or child reported the finished span (absent when nothing was traced). */
  finished(record: ExecuteSpanRecord | undefined): void {
    if (!record || this.#done) return;
    this.#done = true;
    exportExecuteSpan(record);
  }

  /** The run ended without a report: `reason` is the abort reason or the crash. */
  abandoned(reason: unknown): void {
    this.#abandonedBy = { reason };
    if (!this.#start || this.#done) return;
    this.#done = true;
    exportExecuteSpan(abandonExecuteSpan(this.#start, executeOutcomeOf(reason), reason));
  }
}
