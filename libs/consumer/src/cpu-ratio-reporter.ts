import type { CpuRatioBatch, TaskCpuProfiles } from '@switchyard/queue';
import type { LaneWorkerObserver } from './lane-worker';

/** How often the measured ratios go to Redis. */
const FLUSH_EVERY_MS = 1_000;

/** A lane worker observer whose collected ratios can be sent before the connection closes. */
export interface CpuRatioReporter extends LaneWorkerObserver {
  /** Sends the ratios collected so far; resolves once Redis answered (or failed). */
  flush(): Promise<void>;
  /** Stops the timer after a last flush. */
  close(): Promise<void>;
}

/**
 * Feeds `profile: "auto"` routing: each completed attempt's cpuMs and runMs (from its execution record)
 * are added to its task's sums in memory, and every second one script call folds all tasks' sums into the
 * shared averages (TaskCpuProfiles): no Redis round trip per job. Failed, cancelled and timed-out
 * attempts are left out, since their run was cut short. A flush that fails is dropped: the averages
 * decay anyway, and a lost second of samples does not change a task's nature.
 */
export function cpuRatioReporter(profiles: TaskCpuProfiles): CpuRatioReporter {
  let byTask = new Map<string, CpuRatioBatch>();
  const flush = (): Promise<void> => {
    if (byTask.size === 0) return Promise.resolve();
    const batches = [...byTask.values()];
    byTask = new Map();
    return profiles.record(batches).catch(() => undefined);
  };
  const timer = setInterval(() => void flush(), FLUSH_EVERY_MS).unref();
  return {
    attemptSettled: (job, outcome, execution) => {
      if (outcome !== 'completed' || !execution?.runMs || execution.cpuMs === undefined) return;
      const { cpuMs, runMs } = execution;
      const task = job.data.task;
      const batch = byTask.get(task);
      if (batch) {
        batch.cpuMs += cpuMs;
        batch.runMs += runMs;
        batch.count += 1;
      } else byTask.set(task, { task, cpuMs, runMs, count: 1 });
    },
    flush,
    close: () => {
      clearInterval(timer);
      return flush();
    },
  };
}
