import { JOBS, problemSaying, sleep, type ContractCase } from './contract-case';
import { JOB_OPERATION_CASES } from './job-operation-cases';

const MIB = 1_048_576;

/** Every other documented status, each with the request that gets it. */
export const STATUS_CASES: ContractCase[] = [
  // POST /v1/jobs
  {
    operation: `POST ${JOBS}`,
    status: 202,
    why: 'a valid job',
    request: () => ({ method: 'POST', path: JOBS, as: 'alice', body: sleep(1) }),
  },
  {
    operation: `POST ${JOBS}`,
    status: 400,
    why: 'malformed JSON',
    request: () => ({ method: 'POST', path: JOBS, as: 'alice', rawBody: '{"task":' }),
    expect: problemSaying(/not valid JSON/),
  },
  {
    operation: `POST ${JOBS}`,
    status: 409,
    why: 'an Idempotency-Key reused with another body',
    request: async () => ({
      method: 'POST',
      path: JOBS,
      as: 'alice',
      body: sleep(2),
      headers: { 'idempotency-key': 'contract-reused' },
    }),
    expect: problemSaying(/Idempotency-Key reused/),
  },
  {
    operation: `POST ${JOBS}`,
    status: 413,
    why: 'a body over 1 MiB',
    request: () => ({
      method: 'POST',
      path: JOBS,
      as: 'alice',
      rawBody: JSON.stringify({ task: 'io.sleep', payload: { pad: 'x'.repeat(MIB) } }),
    }),
  },
  {
    operation: `POST ${JOBS}`,
    status: 415,
    why: 'a text/plain body',
    request: () => ({
      method: 'POST',
      path: JOBS,
      as: 'alice',
      rawBody: 'io.sleep',
      headers: { 'content-type': 'text/plain' },
    }),
  },
  {
    operation: `POST ${JOBS}`,
    status: 422,
    why: 'an unknown task',
    request: () => ({ method: 'POST', path: JOBS, as: 'alice', body: { task: 'no.such.task' } }),
  },
  {
    operation: `POST ${JOBS}`,
    status: 503,
    why: 'Redis stopped',
    redisDown: true,
    request: () => ({ method: 'POST', path: JOBS, as: 'alice', body: sleep(1) }),
  },
  // POST /v1/jobs/batch
  {
    operation: `POST ${JOBS}/batch`,
    status: 202,
    why: 'two valid jobs',
    request: () => ({
      method: 'POST',
      path: `${JOBS}/batch`,
      as: 'alice',
      body: { jobs: [sleep(1), { task: 'cpu.primes', payload: { limit: 10 } }] },
    }),
  },
  {
    operation: `POST ${JOBS}/batch`,
    status: 400,
    why: 'an invalid Idempotency-Key',
    request: () => ({
      method: 'POST',
      path: `${JOBS}/batch`,
      as: 'alice',
      body: { jobs: [sleep(1)] },
      headers: { 'idempotency-key': 'x'.repeat(256) },
    }),
    expect: problemSaying(/Invalid Idempotency-Key/),
  },
  {
    operation: `POST ${JOBS}/batch`,
    status: 409,
    why: 'an Idempotency-Key reused with another batch',
    request: () => ({
      method: 'POST',
      path: `${JOBS}/batch`,
      as: 'alice',
      body: { jobs: [sleep(3)] },
      headers: { 'idempotency-key': 'contract-batch-reused' },
    }),
  },
  {
    operation: `POST ${JOBS}/batch`,
    status: 413,
    why: 'a body over 1 MiB',
    request: () => ({
      method: 'POST',
      path: `${JOBS}/batch`,
      as: 'alice',
      rawBody: JSON.stringify({ jobs: [{ task: 'io.sleep', payload: { pad: 'x'.repeat(MIB) } }] }),
    }),
  },
  {
    operation: `POST ${JOBS}/batch`,
    status: 415,
    why: 'a text/plain body',
    request: () => ({
      method: 'POST',
      path: `${JOBS}/batch`,
      as: 'alice',
      rawBody: '[]',
      headers: { 'content-type': 'text/plain' },
    }),
  },
  {
    operation: `POST ${JOBS}/batch`,
    status: 422,
    why: 'an invalid item',
    request: () => ({
      method: 'POST',
      path: `${JOBS}/batch`,
      as: 'alice',
      body: { jobs: [sleep(1), sleep(-1)] },
    }),
  },
  {
    operation: `POST ${JOBS}/batch`,
    status: 503,
    why: 'Redis stopped',
    redisDown: true,
    request: () => ({ method: 'POST', path: `${JOBS}/batch`, as: 'alice', body: { jobs: [sleep(1)] } }),
  },
  // GET /v1/jobs
  {
    operation: `GET ${JOBS}`,
    status: 200,
    why: "a tenant's jobs",
    request: () => ({ method: 'GET', path: JOBS, as: 'alice' }),
  },
  {
    operation: `GET ${JOBS}`,
    status: 200,
    why: 'failed jobs, one per page',
    request: () => ({ method: 'GET', path: `${JOBS}?state=failed&limit=1`, as: 'admin' }),
  },
  {
    operation: `GET ${JOBS}`,
    status: 400,
    why: 'limit=0',
    request: () => ({ method: 'GET', path: `${JOBS}?limit=0`, as: 'alice' }),
    expect: problemSaying(/Invalid query/),
  },
  {
    operation: `GET ${JOBS}`,
    status: 503,
    why: 'Redis stopped',
    redisDown: true,
    request: () => ({ method: 'GET', path: JOBS, as: 'alice' }),
  },
  // GET /v1/jobs/{id}
  {
    operation: `GET ${JOBS}/{id}`,
    status: 200,
    why: 'a completed job',
    request: (f) => ({ method: 'GET', path: `${JOBS}/${f.completedJobId}`, as: 'reader' }),
  },
  {
    operation: `GET ${JOBS}/{id}`,
    status: 200,
    why: 'a failed job',
    request: (f) => ({ method: 'GET', path: `${JOBS}/${f.failedJobId}`, as: 'alice' }),
  },
  {
    operation: `GET ${JOBS}/{id}`,
    status: 200,
    why: 'a delayed job, read by an admin',
    request: (f) => ({ method: 'GET', path: `${JOBS}/${f.delayedJobId}`, as: 'admin' }),
  },
  {
    operation: `GET ${JOBS}/{id}`,
    status: 404,
    why: "another tenant's job",
    request: (f) => ({ method: 'GET', path: `${JOBS}/${f.completedJobId}`, as: 'bob' }),
  },
  {
    operation: `GET ${JOBS}/{id}`,
    status: 414,
    why: 'an id of 200 characters',
    request: () => ({ method: 'GET', path: `${JOBS}/${'a'.repeat(200)}`, as: 'alice' }),
  },
  {
    operation: `GET ${JOBS}/{id}`,
    status: 503,
    why: 'Redis stopped',
    redisDown: true,
    request: (f) => ({ method: 'GET', path: `${JOBS}/${f.completedJobId}`, as: 'alice' }),
  },
  // DELETE /v1/jobs/{id}
  {
    operation: `DELETE ${JOBS}/{id}`,
    status: 200,
    why: 'a delayed job, removed',
    request: (f) => ({ method: 'DELETE', path: `${JOBS}/${f.delayedJobId}`, as: 'canceller' }),
  },
  {
    operation: `DELETE ${JOBS}/{id}`,
    status: 202,
    why: 'a job spinning on an inline consumer, which cannot take the abort within 5 s',
    request: async (f) => ({
      method: 'DELETE',
      path: `${JOBS}/${await f.jobIn('active', { task: 'diag.spin', payload: { ms: 12_000 } })}`,
      as: 'alice',
    }),
  },
  {
    operation: `DELETE ${JOBS}/{id}`,
    status: 404,
    why: 'no such job',
    request: () => ({ method: 'DELETE', path: `${JOBS}/00000000-0000-4000-8000-000000000000`, as: 'alice' }),
  },
  {
    operation: `DELETE ${JOBS}/{id}`,
    status: 409,
    why: 'a completed job',
    request: (f) => ({ method: 'DELETE', path: `${JOBS}/${f.completedJobId}`, as: 'alice' }),
  },
  {
    operation: `DELETE ${JOBS}/{id}`,
    status: 414,
    why: 'an id of 200 characters',
    request: () => ({ method: 'DELETE', path: `${JOBS}/${'a'.repeat(200)}`, as: 'alice' }),
  },
  {
    operation: `DELETE ${JOBS}/{id}`,
    status: 503,
    why: 'Redis stopped',
    redisDown: true,
    request: (f) => ({ method: 'DELETE', path: `${JOBS}/${f.failedJobId}`, as: 'alice' }),
  },
  // The catalog, the lanes, probes and metrics
  {
    operation: 'GET /v1/tasks',
    status: 200,
    why: 'the catalog',
    request: () => ({ method: 'GET', path: '/v1/tasks', as: 'reader' }),
  },
  {
    operation: 'GET /v1/queues',
    status: 200,
    why: 'every lane',
    request: () => ({ method: 'GET', path: '/v1/queues', as: 'reader' }),
  },
  {
    operation: 'GET /v1/queues',
    status: 503,
    why: 'Redis stopped',
    redisDown: true,
    request: () => ({ method: 'GET', path: '/v1/queues', as: 'reader' }),
  },
  {
    operation: 'GET /healthz',
    status: 200,
    why: 'no key needed',
    request: () => ({ method: 'GET', path: '/healthz', as: 'nobody' }),
  },
  {
    operation: 'GET /readyz',
    status: 200,
    why: 'Redis answers',
    request: () => ({ method: 'GET', path: '/readyz', as: 'nobody' }),
  },
  {
    operation: 'GET /readyz',
    status: 503,
    why: 'Redis stopped',
    redisDown: true,
    request: () => ({ method: 'GET', path: '/readyz', as: 'nobody' }),
  },
  {
    operation: 'GET /metrics',
    status: 200,
    why: 'an admin key',
    request: () => ({ method: 'GET', path: '/metrics', as: 'admin' }),
  },
  // Events, waiting reads, retries and lane controls
  ...JOB_OPERATION_CASES,
];
