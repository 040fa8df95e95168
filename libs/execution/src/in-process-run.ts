import { setImmediate as nextLoopTurn } from 'node:timers/promises';
import type { ExecutionModel, ExecutionPlacement } from '@switchyard/contracts';
import {
  executeOutcomeOf,
  exportExecuteSpan,
  reviseExecuteSpan,
  type ExecuteSpanRecord,
} from '@switchyard/telemetry';
import type { TaskCatalog } from '@switchyard/tasks';
import type { ExecutionOutcome, ExecutionRequest } from './executor';
import { invocationOf, runTask } from './run-task';
import { RunAbortScope } from './run-abort-scope';

/** How an in-process run reacts to its signal. */
export type AbortBehaviour =
  /** Reject as soon as the signal fires, even if the handler ignores it (event-loop). */
  | 'reject-at-once'
  /** Only look at the signal and the deadline once the handler has returned (inline). */
  | 'after-return';

/**
 * Exports the run's execute span once the run is judged: a handler that completed after its run
 * was cancelled or timed out (inline notices both only after the handler returns; event-loop
 * drops a handler that ignores its signal) must not show as completed.
 */
class InProcessSpan {
  #record?: ExecuteSpanRecord;
  #judged = false;

  constructor(private readonly signal: AbortSignal) {}

  ended(record: ExecuteSpanRecord): void {
    if (this.#judged) this.#export(record);
    else this.#record = record;
  }

  judged(): void {
    this.#judged = true;
    if (this.#record) this.#export(this.#record);
  }

  #export(record: ExecuteSpanRecord): void {
    const reason: unknown = this.signal.aborted ? this.signal.reason : undefined;
    exportExecuteSpan(reason ? reviseExecuteSpan(record, executeOutcomeOf(reason), reason) : record);
  }
}

/** Runs a task on the calling thread, for the event-loop and inline executors. */
export async function runInProcess(
  catalog: TaskCatalog,
  request: ExecutionRequest,
  model: ExecutionModel,
  progressIntervalMs: number,
  behaviour: AbortBehaviour,
): Promise<ExecutionOutcome> {
  const scope = new RunAbortScope(request);
  const span = new InProcessSpan(scope.signal);
  let placement: ExecutionPlacement | undefined;
  let startedAt = Date.now();
  try {
    const running = runTask(catalog, invocationOf(request, model), {
      signal: scope.signal,
      progressIntervalMs,
      onStart: (where, at) => {
        placement = where;
        startedAt = at;
        request.onStart?.(where);
      },
      onProgress: request.onProgress,
      onSpanEnd: (record) => span.ended(record),
    });
    let result: unknown;
    let finishedAt: number;
    if (behaviour === 'reject-at-once') {
      // A handler that ignores its signal keeps running to its end; its late outcome is dropped.
      running.catch(() => undefined);
      result = await Promise.race([running, scope.aborted]);
      finishedAt = Date.now();
    } else {
      result = await running.catch((error: unknown) => {
        throw scope.signal.aborted ? scope.signal.reason : error;
      });
      finishedAt = Date.now();
      // The handler held the thread: let pending I/O (a cancel message) run, then look. Two
      // setImmediate turns take the loop through one poll phase whatever phase this is.
      await nextLoopTurn();
      await nextLoopTurn();
    }
    // A handler that blocked the loop past its deadline returns before the timeout timer can fire: the
    // deadline is read off the clock, so such a run fails with JobTimeoutError and its result is dropped.
    if (!scope.signal.aborted && finishedAt >= scope.deadline) scope.timeOut();
    if (scope.signal.aborted) throw scope.signal.reason;
    return { result, placement: placement ?? { pid: process.pid, threadId: 0 }, startedAt, finishedAt };
  } finally {
    scope.dispose();
    span.judged();
  }
}
