import { setTimeout as delay } from 'node:timers/promises';
import {
  isFinished,
  mapWithConcurrency,
  SwitchyardApiError,
  type SwitchyardClient,
} from '@switchyard/client';
import type { JobView } from '@switchyard/contracts';
import { pollUntil, PollTimeoutError } from '@switchyard/polling';

export interface JobOutcomes {
  /** Final views of the jobs that finished, by id. */
  finished: Map<string, JobView>;
  /** Jobs the api no longer knows (404): lost. */
  missing: string[];
  /** Jobs still waiting, delayed or active at the deadline. */
  unfinished: string[];
  /** How many finished jobs ended in each state. */
  count(state: JobView['state']): number;
}

/**
 * Waits until no lane holds a waiting, delayed or active job (or the deadline), then reads every job's
 * view. It never throws for jobs that did not finish: they come back as unfinished or missing, so a
 * scenario can print its figure before it asserts. Lane counts are polled, not the jobs, so waiting
 * costs the stack one cheap request per interval.
 */
export async function settleJobs(
  client: SwitchyardClient,
  ids: readonly string[],
  timeoutMs: number,
): Promise<JobOutcomes> {
  await pollUntil(
    async () => {
      const lanes = await client.queues().catch(() => undefined);
      return lanes?.every((lane) => lane.waiting + lane.active + lane.delayed === 0) ?? false;
    },
    { timeoutMs, intervalMs: 250 },
  ).catch((error: unknown) => {
    if (!(error instanceof PollTimeoutError)) throw error;
  });
  const finished = new Map<string, JobView>();
  const missing: string[] = [];
  const unfinished: string[] = [];
  await mapWithConcurrency(ids, 16, async (id) => {
    const view = await readView(client, id);
    if (!view) missing.push(id);
    else if (isFinished(view)) finished.set(id, view);
    else unfinished.push(id);
  });
  return {
    finished,
    missing,
    unfinished,
    count: (state) => [...finished.values()].filter((view) => view.state === state).length,
  };
}

/** A job's view, or undefined when the api answers 404; retries while the api or Redis is away. */
async function readView(client: SwitchyardClient, id: string): Promise<JobView | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.get(id);
    } catch (error) {
      if (error instanceof SwitchyardApiError && error.status === 404) return undefined;
      if (attempt >= 5) throw error;
      await delay(500);
    }
  }
}
