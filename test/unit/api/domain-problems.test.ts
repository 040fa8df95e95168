import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  IdempotencyKeyBusyError,
  IdempotencyKeyReusedError,
  InvalidCursorError,
  InvalidIdempotencyKeyError,
  InvalidJobQueryError,
  InvalidJobRequestError,
  JobAlreadyFinishedError,
  JobNotFoundError,
  JobNotRetryableError,
  TooManyJobWatchesError,
  UnknownLaneError,
} from '@switchyard/queue';
import { LaneFullError, QuotaExceededError } from '@switchyard/quotas';
import { toProblemError } from '../../../apps/api/src/problems/problem-details.filter';

const JOB_ID = '0b7c6a4e-2f1d-4c3b-9a8e-5d6f7a8b9c0d';

/**
 * What a client gets for each error the libs throw: status, title, detail, extension members and
 * headers, byte for byte as the api answered before the libs stopped making HTTP errors themselves.
 */
const CASES: {
  error: Error;
  status: number;
  title: string;
  detail: string;
  extras?: object;
  headers?: object;
}[] = [
  {
    error: new InvalidJobRequestError([
      { path: 'payload.limit', message: 'Too small: expected number to be >=0' },
      { path: 'payload', message: 'Unrecognized key: "x"' },
      { path: 'timeoutMs', message: 'must be at most 600000 (JOB_TIMEOUT_MAX_MS)' },
      { path: 'delayMs', message: 'must be at most 60000 (JOB_DELAY_MAX_MS)' },
    ]),
    status: 422,
    title: 'Invalid job request',
    detail:
      'the job request has 4 mistake(s): payload.limit: Too small: expected number to be >=0; payload: Unrecognized key: "x"; timeoutMs: must be at most 600000 (JOB_TIMEOUT_MAX_MS); …',
    extras: {
      errors: [
        { path: 'payload.limit', message: 'Too small: expected number to be >=0' },
        { path: 'payload', message: 'Unrecognized key: "x"' },
        { path: 'timeoutMs', message: 'must be at most 600000 (JOB_TIMEOUT_MAX_MS)' },
        { path: 'delayMs', message: 'must be at most 60000 (JOB_DELAY_MAX_MS)' },
      ],
    },
  },
  {
    error: new InvalidJobRequestError(
      [
        { path: 'task', message: 'unknown task "nope"; known tasks: io.sleep', index: 1 },
        { path: 'payload.limit', message: 'Invalid input: expected number, received undefined', index: 2 },
      ],
      'the batch (3 jobs)',
    ),
    status: 422,
    title: 'Invalid job request',
    detail:
      'the batch (3 jobs) has 2 mistake(s): jobs[1].task: unknown task "nope"; known tasks: io.sleep; jobs[2].payload.limit: Invalid input: expected number, received undefined',
    extras: {
      errors: [
        { path: 'task', message: 'unknown task "nope"; known tasks: io.sleep', index: 1 },
        { path: 'payload.limit', message: 'Invalid input: expected number, received undefined', index: 2 },
      ],
    },
  },
  {
    error: new JobNotFoundError('does-not-exist', false),
    status: 404,
    title: 'Job not found',
    detail: 'no job has id like that: job ids are the UUIDs that POST /v1/jobs returns',
  },
  {
    error: new JobNotFoundError(JOB_ID, true),
    status: 404,
    title: 'Job not found',
    detail: `no job has id "${JOB_ID}"; it may never have existed, belong to another tenant, or its retention has expired`,
  },
  {
    error: new JobAlreadyFinishedError(JOB_ID, 'completed'),
    status: 409,
    title: 'Job already finished',
    detail: `job ${JOB_ID} is completed; only waiting, delayed or active jobs can be cancelled`,
    extras: { state: 'completed' },
  },
  {
    error: new JobNotRetryableError(JOB_ID, 'completed'),
    status: 409,
    title: 'Job not retryable',
    detail: `job ${JOB_ID} is completed; only failed or cancelled jobs can be retried`,
    extras: { state: 'completed' },
  },
  {
    error: new JobNotRetryableError(JOB_ID, 'failed', 'another request is retrying it'),
    status: 409,
    title: 'Job not retryable',
    detail: `job ${JOB_ID} is failed; another request is retrying it`,
    extras: { state: 'failed' },
  },
  {
    error: new UnknownLaneError('gpu', ['io', 'cpu']),
    status: 404,
    title: 'Lane not found',
    detail: 'no lane is named "gpu"; the lanes are: io, cpu',
    extras: { lanes: ['io', 'cpu'] },
  },
  {
    error: new TooManyJobWatchesError(1000),
    status: 503,
    title: 'Too many job watches',
    detail:
      'this api already follows 1000 jobs for event streams and waiting reads (JOB_WATCHES_MAX); retry shortly, or poll GET /v1/jobs/:id without waitMs',
    headers: { 'retry-after': '5' },
  },
  {
    error: new InvalidIdempotencyKeyError(),
    status: 400,
    title: 'Invalid Idempotency-Key',
    detail: 'the Idempotency-Key header must be 1 to 255 visible ASCII characters (a UUID is a good choice)',
  },
  {
    error: new IdempotencyKeyReusedError(JOB_ID),
    status: 409,
    title: 'Idempotency-Key reused',
    detail: `this Idempotency-Key was already used for a different request (job ${JOB_ID}); use a new key for a new request`,
    extras: { jobId: JOB_ID },
  },
  {
    error: new IdempotencyKeyBusyError(),
    status: 409,
    title: 'Idempotency-Key busy',
    detail: 'the Idempotency-Key is being claimed concurrently; retry',
  },
  {
    error: new InvalidCursorError(),
    status: 400,
    title: 'Invalid cursor',
    detail:
      'the cursor is not one this API returned; pass nextCursor from the previous page as is, or none for the first page',
    extras: { errors: [{ path: 'cursor', message: 'not a cursor returned by GET /v1/jobs' }] },
  },
  {
    error: new InvalidJobQueryError('lane must be one of: io, cpu', [
      { path: 'lane', message: 'must be one of: io, cpu' },
    ]),
    status: 400,
    title: 'Invalid query',
    detail: 'lane must be one of: io, cpu',
    extras: { errors: [{ path: 'lane', message: 'must be one of: io, cpu' }] },
  },
  {
    error: new QuotaExceededError('tenant-a', 4, 1, 4, 5),
    status: 429,
    title: 'Too many jobs',
    detail:
      'tenant "tenant-a" has 4 jobs not yet finished and may have at most 4 (TENANT_MAX_PENDING_JOBS); 1 more would pass it. Retry after 5 s, once some of its jobs have finished, or raise TENANT_MAX_PENDING_JOBS',
    headers: { 'retry-after': '5' },
  },
  {
    error: new LaneFullError('io', 8, 1, 8, 2),
    status: 429,
    title: 'Too many jobs',
    detail:
      'lane "io" holds 8 jobs waiting or delayed and may hold at most 8 (LANE_MAX_DEPTH); 1 more would pass it. Retry after 2 s, once its consumers catch up; add consumers or raise LANE_MAX_DEPTH if this is the normal load',
    headers: { 'retry-after': '2' },
  },
];

describe("the api's problem for each domain error", () => {
  for (const { error, status, title, detail, extras = {}, headers = {} } of CASES) {
    it(`${error.name} → ${status} ${title}`, () => {
      const problem = toProblemError(error, '/v1/jobs');
      assert.deepEqual(problem.toProblem('/v1/jobs'), {
        type: `urn:switchyard:problem:${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
        title,
        status,
        detail,
        instance: '/v1/jobs',
        ...extras,
      });
      assert.deepEqual(problem.headers, headers);
    });
  }

  it('answers Redis refusing writes at maxmemory, and Redis away, with 503s that say what to do', () => {
    const full = toProblemError(new Error('OOM command not allowed when used memory > maxmemory'));
    assert.equal(full.status, 503);
    assert.match(full.detail, /nothing was written/);
    const away = toProblemError(new Error("Stream isn't writeable and enableOfflineQueue options is false"));
    assert.equal(away.status, 503);
    assert.match(away.detail, /not reachable; retry shortly/);
  });

  it('answers an error it has no row for with a 500 that shows nothing of it', () => {
    const problem = toProblemError(new TypeError('secret internals'));
    assert.equal(problem.status, 500);
    assert.doesNotMatch(JSON.stringify(problem.toProblem()), /secret/);
  });
});
