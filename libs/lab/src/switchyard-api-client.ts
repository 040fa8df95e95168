import { setTimeout as delay } from 'node:timers/promises';
import {
  MAX_BATCH_SIZE,
  type CreateJobRequest,
  type JobState,
  type JobView,
  type LaneStats,
} from '@switchyard/contracts';

/** A job to submit, as `POST /v1/jobs` takes it. */
export type JobRequest = Pick<CreateJobRequest, 'task' | 'payload' | 'profile' | 'lane' | 'timeoutMs'>;

export class SwitchyardApiError extends Error {
  override readonly name = 'SwitchyardApiError';
}

/** No single API call of the lab should take this long. */
const REQUEST_TIMEOUT_MS = 30_000;

const FINISHED: readonly JobState[] = ['completed', 'failed', 'cancelled'];

/**
 * Finished with its timings in place. A view read while the job completes can say `completed` without
 * `finishedAt` yet (its data and its state are two reads): such a view is polled again.
 */
export function isFinished(view: JobView): boolean {
  return FINISHED.includes(view.state) && (view.state === 'cancelled' || view.finishedAt !== undefined);
}

/** Runs `work` over `items` with at most `limit` in flight, keeping the order of the results. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** The few calls of the Switchyard REST API the lab makes. */
export class SwitchyardApiClient {
  readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /**
   * One request. The run's signal is checked before it, not handed to fetch: a run makes thousands of
   * requests and each would leave a listener on that long-lived signal. Each gets its own timeout.
   */
  async #request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: body === undefined ? undefined : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const cause =
        error instanceof Error
          ? error.cause instanceof Error
            ? error.cause.message
            : error.message
          : String(error);
      throw new SwitchyardApiError(
        `cannot reach the Switchyard API at ${this.baseUrl} (${method} ${path}): ${cause}; check --api-url`,
      );
    }
    const text = await response.text();
    if (!response.ok) {
      throw new SwitchyardApiError(`${method} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Submits jobs in batches of at most 1000; returns their ids in order. */
  async submitJobs(jobs: readonly JobRequest[], signal?: AbortSignal): Promise<string[]> {
    const ids: string[] = [];
    for (let start = 0; start < jobs.length; start += MAX_BATCH_SIZE) {
      const reply = await this.#request<{ jobs: { id: string }[] }>(
        'POST',
        '/v1/jobs/batch',
        { jobs: jobs.slice(start, start + MAX_BATCH_SIZE) },
        signal,
      );
      ids.push(...reply.jobs.map((job) => job.id));
    }
    return ids;
  }

  getJob(id: string, signal?: AbortSignal): Promise<JobView> {
    return this.#request<JobView>('GET', `/v1/jobs/${encodeURIComponent(id)}`, undefined, signal);
  }

  /** Names of the registered tasks, whatever shape `GET /v1/tasks` wraps them in. */
  async taskNames(signal?: AbortSignal): Promise<string[]> {
    const body = await this.#request<unknown>('GET', '/v1/tasks', undefined, signal);
    const list = Array.isArray(body) ? body : ((body as { tasks?: unknown[] } | undefined)?.tasks ?? []);
    return list
      .map((task) => (typeof task === 'string' ? task : (task as { name?: unknown }).name))
      .filter((name): name is string => typeof name === 'string');
  }

  /** Jobs not yet finished across every lane (waiting, delayed or active), from `GET /v1/queues`. */
  async unfinishedJobs(signal?: AbortSignal): Promise<number> {
    const body = await this.#request<{ lanes: LaneStats[] }>('GET', '/v1/queues', undefined, signal);
    return body.lanes.reduce((sum, lane) => sum + lane.waiting + lane.active + lane.delayed, 0);
  }

  /**
   * Waits until every job is finished, then returns each one's final view. While jobs run it reads
   * only the lane counts (one cheap request per interval, so polling does not take CPU from the
   * consumers being measured); throughput and latency come from the jobs' own timestamps, so the
   * polling interval does not bend them.
   */
  async waitForJobs(
    ids: readonly string[],
    options: { signal?: AbortSignal; timeoutMs: number; onProgress?: (finished: number) => void },
  ): Promise<JobView[]> {
    const deadline = Date.now() + options.timeoutMs;
    const expired = (pending: number) =>
      new SwitchyardApiError(
        `${pending} of ${ids.length} jobs were not finished after ${options.timeoutMs} ms`,
      );
    for (;;) {
      const pending = await this.unfinishedJobs(options.signal);
      options.onProgress?.(Math.max(0, ids.length - pending));
      if (pending === 0) break;
      if (Date.now() > deadline) throw expired(pending);
      await delay(150, undefined, { signal: options.signal });
    }
    const views = new Map<string, JobView>();
    let pending = [...ids];
    while (pending.length > 0) {
      const polled = await mapWithConcurrency(pending, 32, (id) => this.getJob(id, options.signal));
      for (const view of polled) if (isFinished(view)) views.set(view.id, view);
      pending = pending.filter((id) => !views.has(id));
      if (pending.length === 0) break;
      if (Date.now() > deadline) throw expired(pending.length);
      await delay(100, undefined, { signal: options.signal });
    }
    return ids.map((id) => views.get(id) as JobView);
  }
}
