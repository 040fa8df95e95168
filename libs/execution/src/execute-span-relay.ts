import type { AttemptContext, ExecutionModel, ExecutionPlacement } from '@switchyard/contracts';
import {
  abandonExecuteSpan,
  executeOutcomeOf,
  executeSpanStart,
  exportExecuteSpan,
  type ExecuteSpanOpening,
  type ExecuteSpanRecord,
} from '@switchyard/telemetry';

/**
 * The parent's side of one remote run's `execute <task>` span (see `runInExecuteSpan`): the thread
 * or child records the span and reports it; this exports it through the parent's SDK. When the
 * thread is terminated or the child killed (cancel, timeout, crash) before it reported the end,
 * the span is closed here with that outcome, so the trace still shows the run and why it stopped,
 * even when the report that the span opened arrives after the run was given up.
 */
export class ExecuteSpanRelay {
  #opened?: { opening: ExecuteSpanOpening; where: ExecutionPlacement };
  /** Why the run was given up, once it was: a span opened after that is closed at once. */
  #abandonedBy?: { reason: unknown };
  #done = false;

  constructor(
    private readonly attempt: AttemptContext,
    private readonly model: ExecutionModel,
  ) {}

  /** The thread or child opened the span, running on `where`. */
  started(opening: ExecuteSpanOpening, where: ExecutionPlacement): void {
    this.#opened = { opening, where };
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
    if (!this.#opened || this.#done) return;
    this.#done = true;
    const { opening, where } = this.#opened;
    const start = executeSpanStart(this.attempt, this.model, where, opening);
    if (start) exportExecuteSpan(abandonExecuteSpan(start, executeOutcomeOf(reason), reason));
  }
}
