import { setTimeout as delay } from 'node:timers/promises';
import { MAX_BATCH_SIZE } from '@switchyard/contracts';
import { pollUntil } from '@switchyard/polling';
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './generated/switchyard-api';
import { mapWithConcurrency } from './map-with-concurrency';

type Schemas = components['schemas'];
export type JobView = Schemas['JobView'];
export type JobAccepted = Schemas['JobAccepted'];
export type LaneStats = Schemas['LaneStats'];
export type ProblemDetails = Schemas['Problem'];
type JobState = JobView['state'];

/**
 * A job to submit, as `POST /v1/jobs` takes it. Looser than the document's `JobRequest` (a union of the
 * default catalog's tasks): an api may run more tasks (the diagnostic ones) than the document lists.
 */
export type JobRequest = Partial<Omit<Schemas['JobRequest.io.sleep'], 'task' | 'payload'>> & {
  task: string;
  payload?: unknown;
};

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

/** What an openapi-fetch call resolves to, for any operation. */
interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Finished with its timings in place. A view read while the job completes can say `completed` without
 * `finishedAt` yet (its data and its state are two reads): such a view is polled again.
 */
export function isFinished(view: Pick<JobView, 'state' | 'finishedAt'>): boolean {
  return FINISHED.includes(view.state) && (view.state === 'cancelled' || view.finishedAt !== undefined);
}

function isProblem(body: unknown): body is ProblemDetails {
  return typeof body === 'object' && body !== null && 'status' in body;
}

/**
 * The Switchyard REST API, for the demo, the lab and the tests: the operations they use, over `api`, an
 * openapi-fetch client typed by the types generated from docs/openapi.json (use it for any other).
 */
export class SwitchyardClient {
  readonly baseUrl: string;
  /** Every operation of the document, typed; answers as openapi-fetch gives them (no 429 retry). */
  readonly api: Client<paths>;
  private readonly requestTimeoutMs: number;

  constructor(baseUrl: string, options: SwitchyardClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.api = createClient<paths>({
      baseUrl: this.baseUrl,
      headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
    });
  }

  submit(request: JobRequest, headers: Record<string, string> = {}): Promise<JobAccepted> {
    return this.call('POST /v1/jobs', (signal) =>
      // The api checks the payload against the task it names; the document's union is narrower (see JobRequest).
      this.api.POST('/v1/jobs', { body: request as Schemas['JobRequest'], headers, signal }),
    );
  }

  /** One `POST /v1/jobs/batch` of at most 1000 jobs. */
  async submitBatch(jobs: readonly JobRequest[], signal?: AbortSignal): Promise<JobAccepted[]> {
    const body = { jobs: jobs as Schemas['JobRequest'][] };
    return (
      await this.call(
        'POST /v1/jobs/batch',
        (timeout) => this.api.POST('/v1/jobs/batch', { body, signal: timeout }),
        signal,
      )
    ).jobs;
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
    return this.call(
      `GET /v1/jobs/${id}`,
      (timeout) => this.api.GET('/v1/jobs/{id}', { params: { path: { id } }, signal: timeout }),
      signal,
    );
  }

  cancel(id: string): Promise<JobView> {
    return this.call(`DELETE /v1/jobs/${id}`, (timeout) =>
      this.api.DELETE('/v1/jobs/{id}', { params: { path: { id } }, signal: timeout }),
    );
  }

  async queues(signal?: AbortSignal): Promise<LaneStats[]> {
    return (
      await this.call('GET /v1/queues', (timeout) => this.api.GET('/v1/queues', { signal: timeout }), signal)
    ).lanes;
  }

  async taskNames(signal?: AbortSignal): Promise<string[]> {
    const { tasks } = await this.call(
      'GET /v1/tasks',
      (timeout) => this.api.GET('/v1/tasks', { signal: timeout }),
      signal,
    );
    return tasks.map((task) => task.name);
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
   * One operation, each try with its own timeout, its data or a SwitchyardApiError. Backpressure (429: rate
   * limit, quotas) is waited out as the server asks, a few times, then reported. A caller's signal is
   * checked before each try, not handed to fetch: a run makes thousands of requests and each would leave a
   * listener on a long-lived signal.
   */
  private async call<T>(
    what: string,
    send: (timeout: AbortSignal) => Promise<Answer<T>>,
    signal?: AbortSignal,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      let answer: Answer<T>;
      try {
        answer = await send(AbortSignal.timeout(this.requestTimeoutMs));
      } catch (error) {
        const cause =
          error instanceof Error
            ? error.cause instanceof Error
              ? error.cause.message
              : error.message
            : String(error);
        throw new SwitchyardApiError(
          `cannot reach the Switchyard API at ${this.baseUrl} (${what}): ${cause}`,
        );
      }
      const { data, error, response } = answer;
      if (response.ok) return data as T;
      const problem = isProblem(error) ? error : undefined;
      const asked = Number(response.headers.get('retry-after') ?? 1);
      const retryAfter = response.status === 429 ? (Number.isFinite(asked) ? asked : 1) : undefined;
      if (retryAfter !== undefined && attempt < MAX_429_ATTEMPTS) {
        await delay(Math.min(retryAfter, MAX_RETRY_AFTER_SECONDS) * 1000, undefined, { signal });
        continue;
      }
      throw new SwitchyardApiError(
        `${what} answered ${response.status}: ${problem?.detail ?? JSON.stringify(error ?? '').slice(0, 500)}`,
        response.status,
        problem,
        retryAfter,
      );
    }
  }
}
