import type { ExecutionModel, ExecutionRecord } from '@switchyard/contracts';
import type { LaneWorkerObserver } from './lane-worker';
import { describeError, type Logger } from '@switchyard/telemetry';

/**
 * One JSON line per finished attempt of a consumer running `model`: completed and cancelled at
 * `info`, failed and timed out at `warn` (with the error). Written while the attempt's consumer
 * span is active, so the logger adds its `trace_id` and `span_id` and the line can be found from
 * Jaeger and the other way round. Ids and names only: never the payload or the result, and the
 * error as `describeError` gives it (name, code, frames; the text only of Switchyard's own errors),
 * because a task's error text may quote its payload. The full text is in the job's view.
 */
export function attemptLog(logger: Logger, model: ExecutionModel): LaneWorkerObserver {
  // The wait is known when an attempt starts and logged when it ends; keyed by the job object so
  // an attempt that never settles (shutdown puts it back) leaves nothing behind.
  const queueWaits = new WeakMap<object, number>();
  return {
    attemptStarted: (job, queueWaitMs) => queueWaits.set(job, queueWaitMs),
    attemptSettled: (job, outcome, execution?: ExecutionRecord, error?: Error) => {
      const line = {
        jobId: job.id,
        task: job.data.task,
        lane: job.data.routing.lane,
        profile: job.data.routing.profile,
        attempt: job.attemptsMade + 1,
        model,
        outcome,
        runMs: execution?.runMs,
        queueWaitMs: queueWaits.get(job),
        // `pid` is the logging process's own (pino's base field); this is where the handler ran.
        ...(execution ? { placement: { pid: execution.pid, threadId: execution.threadId } } : {}),
        ...(error ? { error: describeError(error) } : {}),
      };
      queueWaits.delete(job);
      if (outcome === 'failed' || outcome === 'timeout') logger.warn(line, `job ${outcome}`);
      else logger.info(line, `job ${outcome}`);
    },
  };
}

/** Calls every observer in turn. */
export function allObservers(...observers: LaneWorkerObserver[]): LaneWorkerObserver {
  return {
    attemptStarted: (job, queueWaitMs) => {
      for (const observer of observers) observer.attemptStarted?.(job, queueWaitMs);
    },
    attemptSettled: (job, outcome, execution, error) => {
      for (const observer of observers) observer.attemptSettled?.(job, outcome, execution, error);
    },
  };
}
