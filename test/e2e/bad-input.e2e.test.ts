import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { LaneStats, ProblemDetails } from '@switchyard/contracts';
import { spawnSync } from 'node:child_process';
import { appEntry, startLocalStack, type LocalStack } from '@switchyard/local-stack';
import { deletePrefix } from '../helpers/redis-cleanup';

async function send(
  stack: LocalStack,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) {
  const response = await fetch(`${stack.apiUrl}${path}`, { method, body, headers });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    problem: JSON.parse(text) as ProblemDetails,
  };
}

describe('client mistakes get 4xx problem details, and nothing is enqueued', () => {
  let stack: LocalStack;
  let countsBefore: LaneStats[];
  before(async () => {
    stack = await startLocalStack({
      prefix: `test-${randomUUID()}`,
      services: [{ name: 'api', app: 'api' }],
    });
    countsBefore = ((await (await fetch(`${stack.apiUrl}/v1/queues`)).json()) as { lanes: LaneStats[] })
      .lanes;
  });
  after(async () => {
    await stack?.stop();
    if (stack) await deletePrefix(stack.redisUrl, stack.prefix);
  });

  const cases: {
    name: string;
    method?: string;
    path?: string;
    body?: string;
    headers?: Record<string, string>;
    status: number;
    detail: RegExp;
    errorPath?: string;
  }[] = [
    {
      name: 'an unknown task, listing the known ones',
      body: JSON.stringify({ task: 'cpu.nope', payload: {} }),
      status: 422,
      detail: /unknown task "cpu\.nope".*cpu\.primes/,
      errorPath: 'task',
    },
    {
      name: 'an invalid payload, naming the field',
      body: JSON.stringify({ task: 'cpu.primes', payload: { limit: -1 } }),
      status: 422,
      detail: /payload\.limit/,
      errorPath: 'payload.limit',
    },
    {
      name: 'a payload over its bounds',
      body: JSON.stringify({ task: 'cpu.primes', payload: { limit: 1e12 } }),
      status: 422,
      detail: /payload\.limit/,
      errorPath: 'payload.limit',
    },
    {
      name: 'an unknown lane, listing the known ones',
      body: JSON.stringify({ task: 'cpu.primes', payload: { limit: 10 }, lane: 'gpu' }),
      status: 422,
      detail: /lane.*io, cpu/,
      errorPath: 'lane',
    },
    {
      name: 'an unknown field',
      body: JSON.stringify({ task: 'cpu.primes', payload: { limit: 10 }, colour: 'red' }),
      status: 422,
      detail: /colour/,
    },
    {
      name: 'a timeout over the global cap',
      body: JSON.stringify({ task: 'cpu.primes', payload: { limit: 10 }, timeoutMs: 99_999_999 }),
      status: 422,
      detail: /JOB_TIMEOUT_MAX_MS/,
      errorPath: 'timeoutMs',
    },
    {
      name: 'a host not on the io.http allowlist',
      body: JSON.stringify({
        task: 'io.http',
        payload: { url: 'http://169.254.169.254/latest', method: 'GET' },
      }),
      status: 422,
      detail: /HTTP_ALLOWED_HOSTS/,
    },
    { name: 'malformed JSON', body: '{"task": "cpu.primes", ', status: 400, detail: /not valid JSON/ },
    {
      name: 'a body over 1 MiB',
      body: JSON.stringify({ task: 'io.sleep', payload: { ms: 1, pad: 'x'.repeat(1_100_000) } }),
      status: 413,
      detail: /1 MiB/,
    },
    {
      name: 'a body that is not JSON',
      body: 'task=cpu.primes',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      status: 415,
      detail: /application\/json/,
    },
    {
      name: 'a batch with invalid items, each by index',
      path: '/v1/jobs/batch',
      body: JSON.stringify({
        jobs: [
          { task: 'io.sleep', payload: { ms: 1 } },
          { task: 'nope' },
          { task: 'cpu.primes', payload: {} },
        ],
      }),
      status: 422,
      detail: /2 mistake/,
    },
    {
      name: 'a batch over 1000 jobs',
      path: '/v1/jobs/batch',
      body: JSON.stringify({
        jobs: Array.from({ length: 1001 }, () => ({ task: 'io.sleep', payload: { ms: 1 } })),
      }),
      status: 422,
      detail: /jobs/,
    },
    {
      name: 'an unknown job id',
      method: 'GET',
      path: '/v1/jobs/does-not-exist',
      status: 404,
      detail: /no job has id/,
    },
    {
      name: 'cancelling an unknown job',
      method: 'DELETE',
      path: '/v1/jobs/does-not-exist',
      status: 404,
      detail: /no job has id/,
    },
    {
      name: 'a bad list filter',
      method: 'GET',
      path: '/v1/jobs?state=sleeping',
      status: 400,
      detail: /query/,
      errorPath: 'state',
    },
    {
      name: 'a forged cursor',
      method: 'GET',
      path: '/v1/jobs?cursor=nonsense',
      status: 400,
      detail: /cursor/,
    },
    { name: 'an unknown route', method: 'GET', path: '/v2/jobs', status: 404, detail: /docs/ },
  ];

  for (const testCase of cases) {
    it(`refuses ${testCase.name} with ${testCase.status}`, async () => {
      const method = testCase.method ?? 'POST';
      const bodiless = method === 'GET' || method === 'DELETE';
      const result = await send(
        stack,
        method,
        testCase.path ?? '/v1/jobs',
        bodiless ? undefined : testCase.body,
        bodiless ? {} : testCase.headers,
      );
      assert.equal(result.status, testCase.status, JSON.stringify(result.problem));
      assert.match(result.contentType, /application\/problem\+json/);
      assert.equal(result.problem.status, testCase.status);
      assert.ok(result.problem.title && result.problem.type);
      assert.match(result.problem.detail, testCase.detail);
      if (testCase.errorPath)
        assert.ok(
          result.problem.errors?.some((error) => error.path === testCase.errorPath),
          JSON.stringify(result.problem.errors),
        );
    });
  }

  it('reports every invalid batch item by index', async () => {
    const result = await send(
      stack,
      'POST',
      '/v1/jobs/batch',
      JSON.stringify({
        jobs: [
          { task: 'io.sleep', payload: { ms: 1 } },
          { task: 'nope' },
          { task: 'cpu.primes', payload: {} },
        ],
      }),
    );
    assert.deepEqual([...new Set(result.problem.errors?.map((error) => error.index))], [1, 2]);
  });

  it('answers 413 to a body over 1 MiB, and the client still sending it reads the answer (no broken pipe)', async () => {
    const url = new URL(`${stack.apiUrl}/v1/jobs`);
    const body = Buffer.from(JSON.stringify({ task: 'io.sleep', payload: { pad: 'x'.repeat(7_000_000) } }));
    for (let round = 0; round < 20; round++) {
      const answer = await new Promise<{ status?: number; error?: string }>((resolve) => {
        const request = http.request(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: 'POST',
            headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
          },
          (response) => {
            response.resume();
            response.on('end', () => resolve({ status: response.statusCode }));
          },
        );
        request.on('error', (error) => resolve({ error: error.message }));
        // All at once: the 413 comes while the client is still sending (the socket's buffers hold less).
        request.end(body);
      });
      assert.deepEqual(answer, { status: 413 }, `round ${round}`);
    }
  });

  it('enqueued nothing for any rejected request', async () => {
    const countsAfter = ((await (await fetch(`${stack.apiUrl}/v1/queues`)).json()) as { lanes: LaneStats[] })
      .lanes;
    assert.deepEqual(countsAfter, countsBefore);
    assert.ok(countsAfter.every((lane) => lane.waiting === 0 && lane.delayed === 0));
  });

  for (const [app, variable, value] of [
    ['api', 'PORT', 'http'],
    ['compute', 'EXECUTION_MODEL', 'fibers'],
    ['io-consumer', 'REDIS_URL', 'not a url'],
  ] as const) {
    it(`${app} refuses to start with ${variable}=${value}, naming the variable`, () => {
      const run = spawnSync(process.execPath, [appEntry(app)], {
        env: { ...process.env, [variable]: value },
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.equal(run.status, 78, run.stderr);
      assert.match(
        run.stderr,
        new RegExp(`${variable}=${JSON.stringify(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
      );
    });
  }
});
