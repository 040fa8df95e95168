import { setTimeout as delay } from 'node:timers/promises';
import {
  MAX_BATCH_SIZE,
  type CreateJobRequest,
  type JobAccepted,
  type JobState,
  type JobView,
  type LaneStats,
  type ProblemDetails,
} from '@switchyard/contracts';
import { pollUntil } from '@switchyard/polling';
import { mapWithConcurrency } from './map-with-concurrency';

/** A job to submit, as `POST /v1/jobs` takes it (the optional fields may be left out). */
export type JobRequest = Partial<CreateJobRequest> & { task: string };

/** The API answered with an error (`status` and its problem details), or could not be reached (no status). */
export class SwitchyardApiError extends Error {
  override readonly name = 'SwitchyardApiError';
  constructor(
    message: string,
    readonly status?: number,
    readonly problem?: ProblemDetails,
    /** Set on a 429: how long the server asked the client to wait. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export interface SwitchyardClientOptions {
  /** No single request may take longer. @defaultValue 30000 */
  requestTimeoutMs?: number;
  /** Sent as `Authorization: Bearer <key>`. @defaultValue none (an api run with AUTH=none) */
  apiKey?: string;
}

export interface WaitOptions {
  /** Stops waiting (rejects with the signal's reason). */
  signal?: AbortSignal;
  /** @defaultValue 120000 */
  timeoutMs?: number;
  /** Called after each poll with how many of the jobs have finished. */
  onProgress?: (finished: number, total: number) => void;
}

/** Tries of one request that keeps answering 429, and the longest wait honoured between them. */
const MAX_429_ATTEMPTS = 5;
const MAX_RETRY_AFTER_SECONDS = 30;

const FINISHED: readonly JobState[] = ['completed', 'failed', 'cancelled'];

/**
 * Finished with its timings in place. A view read while the job completes can say `completed` without
 * `finishedAt` yet (its data and its state are two reads): such a view is polled again.
 */
export function isFinished(view: JobView): boolean {
  return FINISHED.includes(view.state) && (view.state === 'cancelled' || view.finishedAt !== undefined);
}

/** The Switchyard REST API, for the demo, the lab and the tests. */
export class SwitchyardClient {
  readonly baseUrl: string;
  private readonly requestTimeoutMs: number;
  private readonly authorization: Record<string, string>;

  constructor(baseUrl: string, options: SwitchyardClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.authorization = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
  }

  submit(request: JobRequest, headers: Record<string, string> = {}): Promise<JobAccepted> {
    return this.request('POST', '/v1/jobs', { body: request, headers });
  }

  /** One `POST /v1/jobs/batch` of at most 1000 jobs. */
  async submitBatch(jobs: readonly JobRequest[], signal?: AbortSignal): Promise<JobAccepted[]> {
    return (await this.request<{ jobs: JobAccepted[] }>('POST', '/v1/jobs/batch', { body: { jobs }, signal }))
      .jobs;
  }

  /** Any number of jobs, in batches of at most 1000; their ids in order. */
  async submitMany(jobs: readonly JobRequest[], signal?: AbortSignal): Promise<string[]> {
    const ids: string[] = [];
    for (let start = 0; start < jobs.length; start += MAX_BATCH_SIZE) {
      ids.push(
        ...(await this.submitBatch(jobs.slice(start, start + MAX_BATCH_SIZE), signal)).map((job) => job.id),
      );
    }
    return ids;
  }

  get(id: string, signal?: AbortSignal): Promise<JobView> {
    return this.request('GET', `/v1/jobs/${encodeURIComponent(id)}`, { signal });
  }

  cancel(id: string): Promise<JobView> {
    return this.request('DELETE', `/v1/jobs/${encodeURIComponent(id)}`);
  }

  async queues(signal?: AbortSignal): Promise<LaneStats[]> {
    return (await this.request<{ lanes: LaneStats[] }>('GET', '/v1/queues', { signal })).lanes;
  }

  async taskNames(signal?: AbortSignal): Promise<string[]> {
    return (await this.request<{ tasks: { name: string }[] }>('GET', '/v1/tasks', { signal })).tasks.map(
      (task) => task.name,
    );
  }

  /** Polls one job until it is completed, failed or cancelled. */
  async waitFor(id: string, timeoutMs = 60_000, pollMs = 50): Promise<JobView> {
    let last: JobView | undefined;
    return pollUntil(
      async () => {
        last = await this.get(id);
        return isFinished(last) && last;
      },
      {
        timeoutMs,
        intervalMs: pollMs,
        onTimeout: () => new SwitchyardApiError(`job ${id} still ${last?.state} after ${timeoutMs} ms`),
      },
    );
  }

  /** Polls each job until all finished; for a stack that other work shares. */
  async waitForAll(
    ids: readonly string[],
    options: WaitOptions & { pollMs?: number } = {},
  ): Promise<JobView[]> {
    const timeoutMs = options.timeoutMs ?? 120_000;
    const done = new Map<string, JobView>();
    return pollUntil(
      async () => {
        const pending = ids.filter((id) => !done.has(id));
        for (const view of await mapWithConcurrency(pending, 32, (id) => this.get(id, options.signal))) {
          if (isFinished(view)) done.set(view.id, view);
        }
        options.onProgress?.(done.size, ids.length);
        return done.size === ids.length && ids.map((id) => done.get(id) as JobView);
      },
      {
        timeoutMs,
        intervalMs: options.pollMs ?? 100,
        signal: options.signal,
        onTimeout: () =>
          new SwitchyardApiError(
            `${ids.length - done.size} of ${ids.length} jobs unfinished after ${timeoutMs} ms`,
          ),
      },
    );
  }

  /**
   * Waits until every lane is idle, then reads each job's final view: for a stack that runs only these
   * jobs (the lab). While they run it reads only the lane counts — one cheap request per interval, so
   * polling takes no CPU from the consumers being measured; timings come from the jobs' own timestamps.
   */
  async waitUntilDrained(ids: readonly string[], options: WaitOptions = {}): Promise<JobView[]> {
    const timeoutMs = options.timeoutMs ?? 120_000;
    const startedAt = Date.now();
    let pending = 0;
    await pollUntil(
      async () => {
        const lanes = await this.queues(options.signal);
        pending = lanes.reduce((sum, lane) => sum + lane.waiting + lane.active + lane.delayed, 0);
        options.onProgress?.(Math.max(0, ids.length - pending), ids.length);
        return pending === 0;
      },
      {
        timeoutMs,
        intervalMs: 150,
        signal: options.signal,
        onTimeout: () =>
          new SwitchyardApiError(`${pending} of ${ids.length} jobs were not finished after ${timeoutMs} ms`),
      },
    );
    const leftMs = timeoutMs - (Date.now() - startedAt);
    return this.waitForAll(ids, { ...options, timeoutMs: Math.max(1_000, leftMs) });
  }

  /**
   * One request with its own timeout. A caller's signal is checked before it, not handed to fetch: a
   * run makes thousands of requests and each would leave a listener on a long-lived signal.
   */
  private async request<T>(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<T> {
    // Backpressure (429: rate limit, quotas) is waited out as the server asks, a few times, then reported.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.requestOnce<T>(method, path, options);
      } catch (error) {
        const retryAfter = error instanceof SwitchyardApiError ? error.retryAfterSeconds : undefined;
        if (retryAfter === undefined || attempt >= MAX_429_ATTEMPTS) throw error;
        await delay(Math.min(retryAfter, MAX_RETRY_AFTER_SECONDS) * 1000, undefined, {
          signal: options.signal,
        });
      }
    }
  }

  private async requestOnce<T>(
    method: string,
    path: string,
    {
      body,
      headers = {},
      signal,
    }: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<T> {
    signal?.throwIfAborted();
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          ...this.authorization,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.requestTimeoutMs),
      });
    } catch (error) {
      const cause =
        error instanceof Error
          ? error.cause instanceof Error
            ? error.cause.message
            : error.message
          : String(error);
      throw new SwitchyardApiError(
        `cannot reach the Switchyard API at ${this.baseUrl} (${method} ${path}): ${cause}`,
      );
    }
    const text = await response.text();
    if (!response.ok) {
      const problem = parseProblem(text);
      const asked = Number(response.headers.get('retry-after') ?? 1);
      const retryAfter = response.status === 429 ? (Number.isFinite(asked) ? asked : 1) : undefined;
      throw new SwitchyardApiError(
        `${method} ${path} answered ${response.status}: ${problem?.detail ?? text.slice(0, 500)}`,
        response.status,
        problem,
        retryAfter,
      );
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

function parseProblem(text: string): ProblemDetails | undefined {
  try {
    const parsed = JSON.parse(text) as ProblemDetails;
    return typeof parsed === 'object' && parsed !== null && 'status' in parsed ? parsed : undefined;
  } catch {
    return undefined;
  }
}
