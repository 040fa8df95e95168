/**
 * Issue 8's proof that no client input breaks the api: property-based fuzzing (fast-check) of every
 * endpoint over real HTTP against the real stack (api and consumers as processes, real Redis).
 * Properties: no 5xx, no hang, every 4xx is problem details, and the jobs in Redis are exactly the
 * jobs the api answered 2xx for. Every group runs to the end and records each kind of violation;
 * then each kind is replayed alone and shrunk by fast-check to a small request, shown with the
 * api's logged error. Replay a run with FUZZ_SEED=<the seed it printed>.
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { TaskDescription } from '@switchyard/tasks';
import { startE2eStack, type E2eStack } from '../helpers/e2e-stack';
import { loggedServerErrors } from './api-error-log';
import { authEnv, headers } from './fuzz-auth';
import { FuzzClient, FuzzLedger } from './fuzz-client';
import { explainViolation, surveyGroup, type FuzzGroup } from './fuzz-run';
import type { FuzzTarget } from './job-body-arbitraries';
import { idRequests, listRequests } from './read-requests';
import { storedJobs } from './redis-job-census';
import { strayRequests } from './stray-requests';
import { arbitrarySubmissions, batchSubmissions, nearValidSubmissions } from './submit-requests';

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const MIN_REQUESTS = 5_000;
/** Bounds any fuzzed job that does run (most are parked), so none burns a shared core for minutes. */
const JOB_TIMEOUT_MAX_MS = 5_000;
/** Kinds of violation shrunk and explained per run; the rest are listed by kind and count. */
const EXPLAINED_MAX = 12;

const STACK_ENV = {
  ...authEnv(),
  DIAGNOSTIC_TASKS: 'false',
  JOB_TIMEOUT_MAX_MS: String(JOB_TIMEOUT_MAX_MS),
  // Every job stays in Redis for the census at the end.
  COMPLETED_RETENTION_COUNT: '10000000',
  FAILED_RETENTION_COUNT: '10000000',
  // Rate limits and quotas have their own tests; here they would turn most requests into 429s.
  RATE_LIMIT: 'off',
  TENANT_MAX_PENDING_JOBS: '10000000',
  LANE_MAX_DEPTH: '10000000',
  // The api's logged stacks name .ts files and lines, so a failure points at the code.
  NODE_OPTIONS: '--enable-source-maps',
};

function fuzzGroups(target: FuzzTarget, knownIds: string[]): FuzzGroup[] {
  return [
    { name: 'POST /v1/jobs{,/batch}: arbitrary bodies', runs: 800, requests: arbitrarySubmissions(target) },
    { name: 'POST /v1/jobs: near-valid requests', runs: 1_800, requests: nearValidSubmissions(target) },
    { name: 'POST /v1/jobs/batch: batches', runs: 500, requests: batchSubmissions(target) },
    { name: 'GET|HEAD|DELETE /v1/jobs/:id: hostile ids', runs: 1_400, requests: idRequests(knownIds) },
    { name: 'GET /v1/jobs?…: query strings', runs: 1_200, requests: listRequests(target) },
    { name: 'any method, path and headers', runs: 1_300, requests: strayRequests(target) },
  ];
}

const count = (n: number) => n.toLocaleString('en-US');

describe('fuzzing every api endpoint', () => {
  let e2e: E2eStack;
  let client: FuzzClient;
  const ledger = new FuzzLedger();

  async function call(
    method: string,
    url: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${e2e.stack.apiUrl}${url}`, {
      method,
      headers: { ...headers(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: await response.json() };
  }

  /** Jobs in every state, so BullMQ's keys (completed, failed, active, delayed, pc…) exist when ids are fuzzed. */
  async function warmUp(): Promise<string[]> {
    const jobs = [
      { request: { task: 'io.sleep', payload: { ms: 0 } }, state: 'completed' },
      { request: { task: 'io.sleep', payload: { ms: 3_000 }, timeoutMs: 100 }, state: 'failed' },
      // Active for 4.5 s (its lock key exists meanwhile); completed is as good if polling was slow.
      { request: { task: 'io.sleep', payload: { ms: JOB_TIMEOUT_MAX_MS - 500 } }, state: 'active|completed' },
      { request: { task: 'cpu.primes', payload: { limit: 10 }, priority: 7 }, state: 'completed' },
      { request: { task: 'io.sleep', payload: { ms: 1 }, delayMs: 3_600_000 }, state: 'delayed' },
    ];
    const ids: string[] = [];
    for (const job of jobs) {
      const { status, json } = await call('POST', '/v1/jobs', job.request);
      assert.equal(status, 202, `warm-up job ${JSON.stringify(job.request)}: ${JSON.stringify(json)}`);
      ids.push((json as { id: string }).id);
    }
    ids.forEach((id) => ledger.accepted.add(id));
    const deadline = Date.now() + 20_000;
    for (const [index, id] of ids.entries()) {
      for (;;) {
        const { json } = await call('GET', `/v1/jobs/${id}`);
        if (jobs[index].state.split('|').includes(String((json as { state?: string }).state))) break;
        assert.ok(Date.now() < deadline, `warm-up job ${id} never became ${jobs[index].state}`);
        await delay(50);
      }
    }
    return ids;
  }

  before(async () => {
    e2e = await startE2eStack([], STACK_ENV);
    client = new FuzzClient(e2e.stack.apiUrl);
  });
  after(async () => {
    client?.close();
    await e2e?.stop();
  });

  it(`answers ≥ ${MIN_REQUESTS} generated requests: no 5xx, no hang, 4xx as problem details, only accepted jobs enqueued`, async () => {
    const { json: catalog } = await call('GET', '/v1/tasks');
    const target: FuzzTarget = {
      tasks: (catalog as { tasks: TaskDescription[] }).tasks,
      lanes: e2e.stack.lanes,
      jobTimeoutMaxMs: JOB_TIMEOUT_MAX_MS,
    };
    const groups = fuzzGroups(target, await warmUp());
    console.log(`fuzz: seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
    // Side by side: each group is sequential, together they keep the api busy.
    const surveys = await Promise.all(
      groups.map((group, index) => surveyGroup(group, SEED + index, client, ledger)),
    );

    // The census comes before any replay, which may enqueue again.
    const stored = await storedJobs(e2e.stack.redisUrl, e2e.stack.prefix);
    const storedIds = new Set(stored.map((job) => job.id));
    const unaccepted = stored.filter((job) => !ledger.accepted.has(job.id));
    const missing = [...ledger.accepted].filter((id) => !storedIds.has(id));
    console.log(
      `fuzz: ${count(ledger.requests)} requests, ${ledger.serverErrors} × 5xx, ${ledger.hangs} hangs, ` +
        `${ledger.dropped} dropped, ${count(ledger.accepted.size)} accepted ` +
        `${ledger.accepted.size === stored.length ? '=' : '≠'} ${count(stored.length)} enqueued`,
    );
    const statuses = [...ledger.statuses].sort(([a], [b]) => a - b);
    console.log(`fuzz: statuses ${statuses.map(([status, n]) => `${status}×${n}`).join(' ')}`);

    const failures: string[] = [];
    const apiLog = path.join(os.tmpdir(), e2e.stack.prefix, 'api-1.log');
    let explained = 0;
    for (const survey of surveys) {
      if (survey.stoppedBy) failures.push(`[${survey.group.name}] stopped early: ${survey.stoppedBy}`);
      if (survey.violations.length === 0) continue;
      const lines: string[] = [];
      for (const observed of survey.violations) {
        if (explained++ < EXPLAINED_MAX) lines.push(await explainViolation(survey, observed, client, apiLog));
        else
          lines.push(
            `${observed.count} × ${observed.violation.kind} (not shrunk: over ${EXPLAINED_MAX} kinds)`,
          );
      }
      failures.push(`[${survey.group.name}]\n${lines.join('\n')}`);
    }
    if (unaccepted.length > 0) {
      failures.push(
        `${unaccepted.length} job(s) in Redis that no 2xx answer accepted (enqueued for a rejected request):\n` +
          unaccepted
            .slice(0, 10)
            .map((job) => `    ${job.key} task=${job.name} opts=${job.opts}`)
            .join('\n'),
      );
    }
    if (missing.length > 0) {
      failures.push(`${missing.length} accepted job(s) not in Redis: ${missing.slice(0, 10).join(', ')}`);
    }
    if (ledger.requests < MIN_REQUESTS) {
      failures.push(
        `only ${ledger.requests} requests were sent; the issue asks for at least ${MIN_REQUESTS}`,
      );
    }
    if (failures.length > 0) {
      const causes = loggedServerErrors(apiLog).map(
        ({ count: n, message, where }) => `    ${n} × ${message} at ${where}`,
      );
      if (causes.length > 0)
        failures.push(`every server error the api logged (${apiLog}):\n${causes.join('\n')}`);
      assert.fail(`fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED}):\n\n${failures.join('\n\n')}`);
    }
  });
});
