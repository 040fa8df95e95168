import type { ApiAnswer, ApiRequest, Caller } from './contract-stack';

/** Jobs made before the cases run, in the states the cases read, and ways to make more. */
export interface Fixtures {
  completedJobId: string;
  failedJobId: string;
  /** Delayed an hour: the 200 cancel removes it (and a retry of it, once cancelled, is a new job). */
  delayedJobId: string;
  /** A `diag.crash` that threw: the retry 202 runs it again. */
  crashedJobId: string;
  /** A failed job of a tenant holding TENANT_MAX_PENDING_JOBS delayed jobs: its retry gets 429. */
  quotaFullFailedJobId: string;
  /** Submits a job as `as` (alice by default); returns its id at once. */
  submitted(request: unknown, as?: Caller): Promise<string>;
  /** Submits a job and waits until it is in `state`; returns its id. */
  jobIn(state: 'active' | 'completed' | 'failed', request: unknown, as?: Caller): Promise<string>;
  /** Opens JOB_WATCHES_MAX event streams, so the api holds every job watch it may. */
  holdEveryWatch(): Promise<void>;
  /** Closes those streams and waits until the api has freed their places. */
  releaseWatches(): Promise<void>;
}

/** One live request for one documented status of one operation. */
export interface ContractCase {
  /** `METHOD /path/{param}`, as in the document. */
  operation: string;
  status: number;
  /** What the case shows, in a failure message. */
  why: string;
  /** Runs once Redis is stopped (the 503s), after every other case. */
  redisDown?: boolean;
  request(fixtures: Fixtures): ApiRequest | Promise<ApiRequest>;
  /** Checks beyond the document's schema (the schema alone cannot say which problem it is). */
  expect?(answer: ApiAnswer, request: ApiRequest): void;
  /** Undoes what `request` set up, whatever the answer, so no later case meets it. */
  release?(fixtures: Fixtures): Promise<void>;
}

export const JOBS = '/v1/jobs';
export const sleep = (ms: number) => ({ task: 'io.sleep', payload: { ms } });

/** The schema says it is a problem; this says which one (by its title or detail). */
export function problemSaying(words: RegExp) {
  return (answer: ApiAnswer) => {
    const { title = '', detail = '' } = answer.body as { title?: string; detail?: string };
    if (!words.test(`${title}: ${detail}`)) {
      throw new Error(`expected a problem saying ${words}, got ${JSON.stringify(`${title}: ${detail}`)}`);
    }
  };
}
