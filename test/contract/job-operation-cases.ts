import { isDeepStrictEqual } from 'node:util';
import { JOBS, problemSaying, sleep, type ContractCase } from './contract-case';
import type { ApiAnswer, ApiRequest } from './contract-stack';
import { parseEventStream } from './event-stream';

const EVENTS = `${JOBS}/{id}/events`;
const RETRY = `${JOBS}/{id}/retry`;
const LONG_ID = 'a'.repeat(200);

/** The job id in a request's path (`/v1/jobs/<id>/…`). */
const jobIdOf = (request: ApiRequest) => request.path.split('/')[3]?.split('?')[0];

/** Throws, naming `what`, when `actual` is not `expected`. */
function same(what: string, actual: unknown, expected: unknown): void {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/** The stream's events by name, in order, each about the requested job, numbered 1, 2, … */
function streamOf(answer: ApiAnswer, request: ApiRequest): string[] {
  const events = parseEventStream(String(answer.body));
  events.forEach((event, index) => {
    same(`event ${index} id`, event.id, String(index + 1));
    same(`event ${index} job`, (JSON.parse(event.data) as { id: string }).id, jobIdOf(request));
  });
  return events.map((event) => event.event ?? 'message');
}

function retried(answer: ApiAnswer, request: ApiRequest, { sameJob }: { sameJob: boolean }): void {
  const { id, retryOf } = answer.body as { id: string; retryOf: string };
  same('retryOf', retryOf, jobIdOf(request));
  if ((id === retryOf) !== sameJob) throw new Error(`id ${id} should ${sameJob ? '' : 'not '}be ${retryOf}`);
  same('Location', answer.headers.get('location'), `${JOBS}/${id}`);
}

/** TooManyJobWatchesError's problem, with the Retry-After the document declares for it. */
function watchesFull(answer: ApiAnswer): void {
  problemSaying(/JOB_WATCHES_MAX/)(answer);
  if (answer.headers.get('retry-after') === null) throw new Error('no Retry-After');
}

const lanePauseState = (lane: string, paused: boolean) => (answer: ApiAnswer) =>
  same('the lane', answer.body, { lane, paused });

function namingLanes(answer: ApiAnswer): void {
  problemSaying(/Lane not found/)(answer);
  const { lanes = [] } = answer.body as { lanes?: string[] };
  if (!lanes.includes('io') || !lanes.includes('cpu')) throw new Error(`lanes ${JSON.stringify(lanes)}`);
}

/** Live job events, waiting reads, retries and lane controls (issue 10's operations). */
export const JOB_OPERATION_CASES: ContractCase[] = [
  // GET /v1/jobs/{id}/events
  {
    operation: `GET ${EVENTS}`,
    status: 200,
    why: 'a short job followed to its end',
    request: async (f) => ({
      method: 'GET',
      path: `${JOBS}/${await f.submitted(sleep(300))}/events`,
      as: 'reader',
    }),
    expect: (answer, request) => {
      const kinds = streamOf(answer, request);
      if (kinds[0] !== 'state' || kinds.at(-1) !== 'completed' || kinds.slice(1, -1).includes('completed')) {
        throw new Error(`expected state … completed, got ${kinds.join(', ')}`);
      }
    },
  },
  {
    operation: `GET ${EVENTS}`,
    status: 200,
    why: 'a job that already ended: its final event, then the end',
    request: (f) => ({ method: 'GET', path: `${JOBS}/${f.completedJobId}/events`, as: 'alice' }),
    expect: (answer, request) => same('the events', streamOf(answer, request), ['completed']),
  },
  {
    operation: `GET ${EVENTS}`,
    status: 204,
    why: 'a reconnect (Last-Event-ID) to a job that has ended',
    request: (f) => ({
      method: 'GET',
      path: `${JOBS}/${f.completedJobId}/events`,
      as: 'alice',
      headers: { 'last-event-id': '1' },
    }),
  },
  {
    operation: `GET ${EVENTS}`,
    status: 404,
    why: "another tenant's job",
    request: (f) => ({ method: 'GET', path: `${JOBS}/${f.completedJobId}/events`, as: 'bob' }),
    expect: problemSaying(/Job not found/),
  },
  {
    operation: `GET ${EVENTS}`,
    status: 414,
    why: 'an id of 200 characters',
    request: () => ({ method: 'GET', path: `${JOBS}/${LONG_ID}/events`, as: 'alice' }),
  },
  {
    operation: `GET ${EVENTS}`,
    status: 503,
    why: 'the api already holds JOB_WATCHES_MAX event streams',
    request: async (f) => {
      await f.holdEveryWatch();
      return { method: 'GET', path: `${JOBS}/${f.completedJobId}/events`, as: 'alice' };
    },
    expect: watchesFull,
    release: (f) => f.releaseWatches(),
  },
  {
    operation: `GET ${EVENTS}`,
    status: 503,
    why: 'Redis stopped',
    redisDown: true,
    request: (f) => ({ method: 'GET', path: `${JOBS}/${f.completedJobId}/events`, as: 'alice' }),
  },
  // GET /v1/jobs/{id}?waitMs
  {
    operation: `GET ${JOBS}/{id}`,
    status: 200,
    why: 'waitMs: a job that ends within the wait, answered ended',
    request: async (f) => ({
      method: 'GET',
      path: `${JOBS}/${await f.submitted(sleep(300))}?waitMs=20000`,
      as: 'alice',
    }),
    expect: (answer) => same('state', (answer.body as { state: string }).state, 'completed'),
  },
  {
    operation: `GET ${JOBS}/{id}`,
    status: 400,
    why: 'waitMs past 30000',
    request: (f) => ({ method: 'GET', path: `${JOBS}/${f.completedJobId}?waitMs=30001`, as: 'alice' }),
    expect: problemSaying(/waitMs/),
  },
  {
    operation: `GET ${JOBS}/{id}`,
    status: 503,
    why: 'waitMs while the api already holds JOB_WATCHES_MAX event streams',
    request: async (f) => {
      await f.holdEveryWatch();
      return { method: 'GET', path: `${JOBS}/${f.failedJobId}?waitMs=1000`, as: 'alice' };
    },
    expect: watchesFull,
    release: (f) => f.releaseWatches(),
  },
  // POST /v1/jobs/{id}/retry
  {
    operation: `POST ${RETRY}`,
    status: 202,
    why: 'a failed job, run again under its id',
    request: (f) => ({ method: 'POST', path: `${JOBS}/${f.crashedJobId}/retry`, as: 'alice' }),
    expect: (answer, request) => retried(answer, request, { sameJob: true }),
  },
  {
    operation: `POST ${RETRY}`,
    status: 202,
    why: 'a cancelled job (the delayed one, cancelled above), retried as a new job',
    request: (f) => ({ method: 'POST', path: `${JOBS}/${f.delayedJobId}/retry`, as: 'alice' }),
    expect: (answer, request) => retried(answer, request, { sameJob: false }),
  },
  {
    operation: `POST ${RETRY}`,
    status: 404,
    why: "another tenant's job",
    request: (f) => ({ method: 'POST', path: `${JOBS}/${f.failedJobId}/retry`, as: 'bob' }),
    expect: problemSaying(/Job not found/),
  },
  {
    operation: `POST ${RETRY}`,
    status: 409,
    why: 'a completed job',
    request: (f) => ({ method: 'POST', path: `${JOBS}/${f.completedJobId}/retry`, as: 'alice' }),
    expect: (answer) => {
      problemSaying(/Job not retryable/)(answer);
      same('state', (answer.body as { state?: string }).state, 'completed');
    },
  },
  {
    operation: `POST ${RETRY}`,
    status: 414,
    why: 'an id of 200 characters',
    request: () => ({ method: 'POST', path: `${JOBS}/${LONG_ID}/retry`, as: 'alice' }),
  },
  {
    operation: `POST ${RETRY}`,
    status: 429,
    why: 'its tenant holds TENANT_MAX_PENDING_JOBS jobs already',
    request: (f) => ({ method: 'POST', path: `${JOBS}/${f.quotaFullFailedJobId}/retry`, as: 'carol' }),
    expect: problemSaying(/TENANT_MAX_PENDING_JOBS/),
  },
  {
    operation: `POST ${RETRY}`,
    status: 503,
    why: 'Redis stopped',
    redisDown: true,
    request: (f) => ({ method: 'POST', path: `${JOBS}/${f.failedJobId}/retry`, as: 'alice' }),
  },
  // POST /v1/queues/{lane}/pause and /resume: resumed at once, so no later case waits on the lane
  {
    operation: 'POST /v1/queues/{lane}/pause',
    status: 200,
    why: 'the cpu lane',
    request: () => ({ method: 'POST', path: '/v1/queues/cpu/pause', as: 'admin' }),
    expect: lanePauseState('cpu', true),
  },
  {
    operation: 'POST /v1/queues/{lane}/resume',
    status: 200,
    why: 'the cpu lane, just paused',
    request: () => ({ method: 'POST', path: '/v1/queues/cpu/resume', as: 'admin' }),
    expect: lanePauseState('cpu', false),
  },
  {
    operation: 'POST /v1/queues/{lane}/pause',
    status: 404,
    why: 'no such lane',
    request: () => ({ method: 'POST', path: '/v1/queues/gpu/pause', as: 'admin' }),
    expect: namingLanes,
  },
  {
    operation: 'POST /v1/queues/{lane}/resume',
    status: 404,
    why: 'no such lane',
    request: () => ({ method: 'POST', path: '/v1/queues/gpu/resume', as: 'admin' }),
    expect: namingLanes,
  },
  {
    operation: 'POST /v1/queues/{lane}/pause',
    status: 503,
    why: 'Redis stopped',
    redisDown: true,
    request: () => ({ method: 'POST', path: '/v1/queues/io/pause', as: 'admin' }),
  },
  {
    operation: 'POST /v1/queues/{lane}/resume',
    status: 503,
    why: 'Redis stopped',
    redisDown: true,
    request: () => ({ method: 'POST', path: '/v1/queues/io/resume', as: 'admin' }),
  },
];
