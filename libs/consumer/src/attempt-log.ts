import type { ExecutionModel, ExecutionRecord } from '@switchyard/contracts';
import { queueWaitOf, type LaneWorkerObserver } from './lane-worker';
import { describeError, type Logger } from '@switchyard/telemetry';

/**
 * One JSON line per finished attempt of a consumer running `model`: completed at `debug` (one line
 * per job at thousands of jobs/s is the consumer's largest per-job cost after Redis; the metrics
 * count them), cancelled at `info`, failed and timed out at `warn` (with the error). Written while the attempt's consumer
 * span is active, so the logger adds its `trace_id` and `span_id` and the line can be found from
 * Jaeger and the other way round. Ids and names only: never the payload or the result, and the
 * error as `describeError` gives it (name, code, frames; the text only of Switchyard's own errors),
 * because a task's error text may quote its payload. The full text is in the job's view.
 */
export function attemptLog(logger: Logger, model: ExecutionModel): LaneWorkerObserver {
  return {
    attemptSettled: (job, outcome, execution?: ExecutionRecord, error?: Error) => {
      const level = outcome === 'completed' ? 'debug' : outcome === 'cancelled' ? 'info' : 'warn';
      // Nothing built for a line the level drops (the default, info, drops every completed job's).
      if (!logger.isLevelEnabled(level)) return;
      const line = {
        jobId: job.id,
        task: job.data.task,
        lane: job.data.routing.lane,
        profile: job.data.routing.profile,
        attempt: job.attemptsMade + 1,
        model,
        outcome,
        runMs: execution?.runMs,
        cpuMs: execution?.cpuMs,
        queueWaitMs: queueWaitOf(job),
        // `pid` is the logging process's own (pino's base field); this is where the handler ran.
        ...(execution ? { placement: { pid: execution.pid, threadId: execution.threadId } } : {}),
        ...(error ? { error: describeError(error) } : {}),
      };
      logger[level](line, `job ${outcome}`);
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
