/**
 * Issue 10's contract test: every operation and every status the OpenAPI document declares is driven
 * against the real apps (api and consumers as processes, a real Redis, AUTH=keys, a rate limit), and
 * each live answer is checked against the document the api serves (status, content type, body by ajv,
 * required headers). A documented status without a case fails the run, so a new operation or status
 * cannot go untested: add its case to contract-cases.ts (see README "Adding an operation").
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pollUntil } from '@switchyard/polling';
import { accessCases } from './access-cases';
import { sleep, type ContractCase, type Fixtures } from './contract-case';
import { STATUS_CASES } from './contract-cases';
import {
  RATE_LIMIT_PER_MINUTE,
  startContractStack,
  JOB_WATCHES_MAX,
  TENANT_MAX_PENDING_JOBS,
  type ApiAnswer,
  type ApiRequest,
  type Caller,
  type ContractStack,
} from './contract-stack';
import {
  documentedOperations,
  OpenApiValidator,
  type DocumentedOperation,
  type OpenApiDocument,
} from './openapi-validator';
import { admitsNoResult, completingPayloads } from './task-result-jobs';

describe('the REST contract, live (real apps, AUTH=keys)', () => {
  let contract: ContractStack;
  let document: OpenApiDocument;
  let operations: DocumentedOperation[];
  let validator: OpenApiValidator;
  let cases: ContractCase[];

  async function submitted(request: unknown, as: Caller = 'alice', headers: Record<string, string> = {}) {
    const answer = await contract.call({ method: 'POST', path: '/v1/jobs', as, body: request, headers });
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    return (answer.body as { id: string }).id;
  }

  async function jobIn(state: string, request: unknown, as: Caller = 'alice'): Promise<string> {
    const id = await submitted(request, as);
    await pollUntil(
      async () => {
        const view = await contract.call({ method: 'GET', path: `/v1/jobs/${id}`, as: 'admin' });
        return (
          (view.body as { state?: string }).state === state &&
          (state === 'active' || (view.body as { finishedAt?: string }).finishedAt !== undefined)
        );
      },
      { timeoutMs: 20_000, intervalMs: 100, what: `job ${id} to be ${state}` },
    );
    return id;
  }

  const heldStreams: (() => void)[] = [];

  async function holdEveryWatch(): Promise<void> {
    const id = await submitted({ ...sleep(1), delayMs: 3_600_000 });
    for (let opened = 0; opened < JOB_WATCHES_MAX; opened++) {
      const stream = await contract.open({ method: 'GET', path: `/v1/jobs/${id}/events`, as: 'alice' });
      heldStreams.push(stream.close);
      assert.equal(stream.status, 200, `event stream ${opened + 1} of JOB_WATCHES_MAX`);
    }
  }

  async function releaseWatches(fixtures: Fixtures): Promise<void> {
    for (const close of heldStreams.splice(0)) close();
    const path = `/v1/jobs/${fixtures.completedJobId}/events`;
    await pollUntil(async () => (await contract.call({ method: 'GET', path, as: 'alice' })).status === 200, {
      timeoutMs: 10_000,
      intervalMs: 50,
      what: 'the api to free the event streams the client closed',
    });
  }

  /**
   * A failed job of carol's tenant, then as many delayed jobs as its quota allows. The consumer gives a
   * finished job's room back a few ms after the job shows as failed (its ZREMs are batched, see
   * pending-jobs-observer.ts), and a refused batch reserves nothing, so the fill is retried until then.
   */
  async function failedJobOfAFullTenant(): Promise<string> {
    const id = await jobIn('failed', { ...sleep(5_000), timeoutMs: 100 }, 'carol');
    const jobs = Array.from({ length: TENANT_MAX_PENDING_JOBS }, () => ({ ...sleep(1), delayMs: 3_600_000 }));
    let fill: ApiAnswer | undefined;
    await pollUntil(
      async () => {
        fill = await contract.call({ method: 'POST', path: '/v1/jobs/batch', as: 'carol', body: { jobs } });
        return fill.status !== 429;
      },
      { timeoutMs: 5_000, intervalMs: 20, what: "the failed job's room to be given back to carol's tenant" },
    );
    assert.equal(fill?.status, 202, JSON.stringify(fill?.body));
    return id;
  }

  before(async () => {
    contract = await startContractStack();
    const served = await contract.call({ method: 'GET', path: '/docs-json', as: 'admin' });
    assert.equal(served.status, 200);
    document = served.body as OpenApiDocument;
    operations = documentedOperations(document);
    validator = new OpenApiValidator(document);
    cases = [...accessCases(operations), ...STATUS_CASES];
  });
  after(async () => {
    await contract?.stop();
  });

  it('has a case for every documented operation and status, and none for an undocumented one', () => {
    const documented = new Set(
      operations.flatMap((operation) => operation.statuses.map((status) => `${operation.name} ${status}`)),
    );
    const covered = new Set(cases.map((entry) => `${entry.operation} ${entry.status}`));
    assert.deepEqual(
      [...documented].filter((key) => !covered.has(key)),
      [],
      'documented without a case',
    );
    assert.deepEqual(
      [...covered].filter((key) => !documented.has(key)),
      [],
      'a case for an undocumented status',
    );
  });

  it('shows a completed job of every task with a result that matches its TaskResult.<task>', async () => {
    const getJob = operations.find((operation) => operation.name === 'GET /v1/jobs/{id}');
    assert.ok(getJob, 'GET /v1/jobs/{id} is documented');
    const payloads = completingPayloads(contract.httpTargetUrl);
    const results = Object.entries(document.components.schemas).filter(([id]) =>
      id.startsWith('TaskResult.'),
    );
    const failures: string[] = [];
    const completed: string[] = [];
    for (const [id, schema] of results) {
      const task = id.slice('TaskResult.'.length);
      if (admitsNoResult(schema)) continue;
      assert.ok(task in payloads, `no payload for ${task}: add one to completingPayloads`);
      const jobId = await jobIn('completed', { task, payload: payloads[task] });
      const answer = await contract.call({ method: 'GET', path: `/v1/jobs/${jobId}`, as: 'reader' });
      const { result } = answer.body as { result?: unknown };
      const violations = [
        ...validator.violations(getJob, answer),
        ...(result === undefined ? ['no result'] : validator.componentViolations(id, result)),
      ];
      if (violations.length > 0) failures.push(`${task}: ${violations.join('; ')}`);
      completed.push(task);
    }
    assert.deepEqual(failures, []);
    // Every task of the contract stack's catalog (DIAGNOSTIC_TASKS on, io.http allowed) but diag.crash.
    assert.deepEqual(completed.sort(), Object.keys(payloads).sort());
  });

  it('answers every case as the document says', async () => {
    const fixtures: Fixtures = {
      completedJobId: await jobIn('completed', { task: 'cpu.primes', payload: { limit: 1_000 } }),
      failedJobId: await jobIn('failed', { ...sleep(5_000), timeoutMs: 100 }),
      delayedJobId: await submitted({ ...sleep(1), delayMs: 3_600_000 }),
      crashedJobId: await jobIn('failed', { task: 'diag.crash', payload: { mode: 'throw' } }),
      quotaFullFailedJobId: await failedJobOfAFullTenant(),
      submitted: (request, as) => submitted(request, as),
      jobIn,
      holdEveryWatch,
      releaseWatches: () => releaseWatches(fixtures),
    };
    await submitted(sleep(1), 'alice', { 'idempotency-key': 'contract-reused' });
    const batch = await contract.call({
      method: 'POST',
      path: '/v1/jobs/batch',
      as: 'alice',
      body: { jobs: [{ task: 'io.sleep', payload: { ms: 1 } }] },
      headers: { 'idempotency-key': 'contract-batch-reused' },
    });
    assert.equal(batch.status, 202);
    // Spend the flood key's budget, so each of its cases meets the rate limit.
    for (let spent = 0; spent <= RATE_LIMIT_PER_MINUTE; spent++) {
      if ((await contract.call({ method: 'GET', path: '/v1/tasks', as: 'flood' })).status === 429) break;
    }

    const failures: string[] = [];
    const check = (
      entry: ContractCase,
      operation: DocumentedOperation,
      request: ApiRequest,
      answer: ApiAnswer,
    ) => {
      const label = `${entry.operation} → ${entry.status} (${entry.why}): ${request.method} ${request.path.slice(0, 80)} as ${request.as}`;
      if (answer.status !== entry.status) {
        failures.push(`${label}: got ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
        return;
      }
      const violations = validator.violations(operation, answer);
      try {
        entry.expect?.(answer, request);
      } catch (error) {
        violations.push((error as Error).message);
      }
      if (violations.length > 0) failures.push(`${label}:\n    ${violations.join('\n    ')}`);
    };
    const run = async (entry: ContractCase) => {
      const operation = operations.find((candidate) => candidate.name === entry.operation);
      assert.ok(operation, `no operation ${entry.operation} in the document`);
      try {
        const request = await entry.request(fixtures);
        check(entry, operation, request, await contract.call(request));
      } finally {
        await entry.release?.(fixtures);
      }
    };
    for (const entry of cases.filter((candidate) => !candidate.redisDown)) await run(entry);
    await contract.redis.halt('SIGKILL');
    for (const entry of cases.filter((candidate) => candidate.redisDown)) await run(entry);

    console.log(
      `contract: ${cases.length} cases over ${operations.length} operations, ${failures.length} failed`,
    );
    assert.deepEqual(failures, []);
  });

  it('answers PUT and PATCH on a known path 405 with Allow, as problem details', async () => {
    for (const [method, path, allow] of [
      ['PUT', '/v1/jobs', 'GET, HEAD, POST'],
      ['PATCH', '/v1/jobs/00000000-0000-4000-8000-000000000000', 'DELETE, GET, HEAD'],
      ['DELETE', '/v1/tasks', 'GET, HEAD'],
      // The batch resource, though `/v1/jobs/:id` matches its path too (a job never has the id "batch").
      ['PUT', '/v1/jobs/batch', 'POST'],
    ]) {
      const answer = await contract.call({ method, path, as: 'alice', body: {} });
      assert.equal(answer.status, 405, `${method} ${path}`);
      assert.equal(answer.headers.get('allow'), allow);
      assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal((answer.body as { status: number }).status, 405);
    }
    assert.equal(
      (await contract.call({ method: 'PUT', path: '/v1/nothing', as: 'alice' })).status,
      404,
      'an unknown path stays 404',
    );
  });
});
