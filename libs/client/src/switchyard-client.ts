import { setTimeout as delay } from 'node:timers/promises';
import type {
  CreateJobRequest,
  JobAccepted,
  JobView,
  LaneStats,
  ProblemDetails,
} from '@switchyard/contracts';

export class SwitchyardApiError extends Error {
  override readonly name = 'SwitchyardApiError';
  constructor(
    readonly status: number,
    readonly problem: ProblemDetails | undefined,
  ) {
    super(`HTTP ${status}: ${problem?.detail ?? 'no detail'}`);
  }
}

const FINISHED = new Set(['completed', 'failed', 'cancelled']);

/** A small REST client for the Switchyard API (used by the demo, the lab and the tests). */
export class SwitchyardClient {
  constructor(readonly baseUrl: string) {}

  submit(
    request: Partial<CreateJobRequest> & { task: string },
    headers: Record<string, string> = {},
  ): Promise<JobAccepted> {
    return this.call('POST', '/v1/jobs', request, headers);
  }

  async submitBatch(jobs: (Partial<CreateJobRequest> & { task: string })[]): Promise<JobAccepted[]> {
    return (await this.call<{ jobs: JobAccepted[] }>('POST', '/v1/jobs/batch', { jobs })).jobs;
  }

  get(id: string): Promise<JobView> {
    return this.call('GET', `/v1/jobs/${encodeURIComponent(id)}`);
  }

  cancel(id: string): Promise<JobView> {
    return this.call('DELETE', `/v1/jobs/${encodeURIComponent(id)}`);
  }

  async queues(): Promise<LaneStats[]> {
    return (await this.call<{ lanes: LaneStats[] }>('GET', '/v1/queues')).lanes;
  }

  /** Polls until the job is completed, failed or cancelled. */
  async waitFor(id: string, timeoutMs = 60_000, pollMs = 50): Promise<JobView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const view = await this.get(id);
      if (FINISHED.has(view.state)) return view;
      if (Date.now() > deadline) throw new Error(`job ${id} still ${view.state} after ${timeoutMs} ms`);
      await delay(pollMs);
    }
  }

  /** Polls a set of jobs until all finished; `onProgress(finished, total)` after each sweep. */
  async waitForAll(
    ids: string[],
    options: {
      timeoutMs?: number;
      pollMs?: number;
      onProgress?: (finished: number, total: number) => void;
    } = {},
  ): Promise<JobView[]> {
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    const done = new Map<string, JobView>();
    for (;;) {
      const pending = ids.filter((id) => !done.has(id));
      for (let start = 0; start < pending.length; start += 50) {
        const views = await Promise.all(pending.slice(start, start + 50).map((id) => this.get(id)));
        for (const view of views) if (FINISHED.has(view.state)) done.set(view.id, view);
      }
      options.onProgress?.(done.size, ids.length);
      if (done.size === ids.length) return ids.map((id) => done.get(id) as JobView);
      if (Date.now() > deadline)
        throw new Error(
          `${ids.length - done.size} of ${ids.length} jobs unfinished after ${options.timeoutMs ?? 120_000} ms`,
        );
      await delay(options.pollMs ?? 100);
    }
  }

  private async call<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) throw new SwitchyardApiError(response.status, parsed as ProblemDetails | undefined);
    return parsed as T;
  }
}
