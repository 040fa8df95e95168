import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiKey } from '@switchyard/auth';
import { eventually, startE2eStack, type E2eStack } from '../helpers/e2e-stack';
import { callAs, type TestKey } from './operator/keyed-api';

/**
 * The operator's tools over REST against the real apps, with API keys: retrying failed and cancelled
 * jobs, listing dead letters, pausing and resuming lanes; each behind its scope and within its tenant.
 */
const KEYS = {
  alice: createApiKey('tenant-a', ['jobs:write', 'jobs:read', 'jobs:cancel']),
  bob: createApiKey('tenant-b', ['jobs:write', 'jobs:read', 'jobs:cancel']),
  reader: createApiKey('tenant-a', ['jobs:read']),
  quota: createApiKey('tenant-q', ['jobs:write', 'jobs:read', 'jobs:cancel']),
  admin: createApiKey('ops', ['admin']),
};
/** TENANT_MAX_PENDING_JOBS in this stack. */
const PENDING_MAX = 3;

const crash = { task: 'diag.crash', payload: { mode: 'throw' }, lane: 'cpu' };
/** Fails on its own timeout after 200 ms, on the io lane. */
const timingOut = { task: 'io.sleep', payload: { ms: 10_000 }, timeoutMs: 200 };
const sleep = (ms: number, more: object = {}) => ({ task: 'io.sleep', payload: { ms }, ...more });

describe('retry, dead letters, lane pause and resume (real apps, AUTH=keys)', () => {
  let e2e: E2eStack;
  const call = (key: TestKey | undefined, method: string, path: string, body?: unknown) =>
    callAs(e2e.stack.apiUrl, key, method, path, body);
  const submit = async (key: TestKey, request: unknown): Promise<string> => {
    const accepted = await call(key, 'POST', '/v1/jobs', request);
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    return accepted.body.id as string;
  };
  /**
   * Submits once the tenant has room: a consumer gives a finished job's room back a few ms after the
   * job shows as finished (its removals are batched), and a refused submission reserves nothing.
   */
  const submitOnceRoomIsBack = (key: TestKey, request: unknown): Promise<string> =>
    eventually(async () => {
      const answer = await call(key, 'POST', '/v1/jobs', request);
      if (answer.status === 429) return false;
      assert.equal(answer.status, 202, JSON.stringify(answer.body));
      return answer.body.id as string;
    }, 'room for one more job of the tenant');
  const viewOf = async (key: TestKey, id: string) => (await call(key, 'GET', `/v1/jobs/${id}`)).body;
  /** The job's view once it is in `state` (waiting reads: no polling). */
  const reach = (key: TestKey, id: string, state: string) =>
    eventually(
      async () => {
        const view = (await call(key, 'GET', `/v1/jobs/${id}?waitMs=5000`)).body;
        return view.state === state && view;
      },
      `job ${id} to be ${state}`,
      30_000,
    );
  const lanes = async () =>
    (await call(KEYS.admin, 'GET', '/v1/queues')).body.lanes as { lane: string; paused: boolean }[];

  before(async () => {
    e2e = await startE2eStack([], {
      AUTH: 'keys',
      API_KEYS: Object.values(KEYS)
        .map(({ entry }) => entry)
        .join(','),
      TENANT_MAX_PENDING_JOBS: String(PENDING_MAX),
    });
  });
  after(async () => {
    await e2e?.stop();
  });

  it('retries a failed job under its id: a new attempt, counted after the first', async () => {
    const id = await submit(KEYS.alice, crash);
    const failed = await reach(KEYS.alice, id, 'failed');
    assert.equal(failed.attempts.made, 1);

    const refused = await call(KEYS.reader, 'POST', `/v1/jobs/${id}/retry`);
    assert.equal(refused.status, 403);
    assert.match(refused.body.detail, /jobs:write/);
    const bobs = await call(KEYS.bob, 'POST', `/v1/jobs/${id}/retry`);
    assert.equal(bobs.status, 404, "another tenant's job does not exist for bob");
    assert.equal((await call(undefined, 'POST', `/v1/jobs/${id}/retry`)).status, 401);

    const retried = await call(KEYS.alice, 'POST', `/v1/jobs/${id}/retry`);
    assert.equal(retried.status, 202, JSON.stringify(retried.body));
    assert.equal(retried.body.id, id);
    assert.equal(retried.body.retryOf, id);
    assert.equal(retried.body.task, 'diag.crash');
    assert.equal(retried.body.lane, 'cpu');
    assert.equal(retried.headers.get('location'), `/v1/jobs/${id}`);
    const again = await eventually(
      async () => {
        const view = await viewOf(KEYS.alice, id);
        return view.state === 'failed' && view.attempts.made === 2 && view;
      },
      'the second attempt to fail',
      30_000,
    );
    assert.equal(again.error.name, 'DiagnosticCrashError');
    assert.equal(again.error.attemptsMade, 2);

    const admin = await call(KEYS.admin, 'POST', `/v1/jobs/${id}/retry`);
    assert.equal(admin.status, 202, 'an admin retries any tenant’s job');
    await reach(KEYS.alice, id, 'failed');
  });

  it('409 for a job that is neither failed nor cancelled, naming its state', async () => {
    const done = await submit(KEYS.alice, sleep(1));
    await reach(KEYS.alice, done, 'completed');
    const completed = await call(KEYS.alice, 'POST', `/v1/jobs/${done}/retry`);
    assert.equal(completed.status, 409);
    assert.equal(completed.body.state, 'completed');
    assert.match(completed.body.detail, /only failed or cancelled jobs can be retried/);

    const delayed = await submit(KEYS.alice, sleep(1, { delayMs: 60_000 }));
    const waiting = await call(KEYS.alice, 'POST', `/v1/jobs/${delayed}/retry`);
    assert.equal(waiting.status, 409);
    assert.equal(waiting.body.state, 'delayed');
    await call(KEYS.alice, 'DELETE', `/v1/jobs/${delayed}`);
  });

  it('retries a cancelled job as a new job; the cancelled one stays cancelled', async () => {
    // Cancelled before it ran: it left its lane, and its retry still has the payload to run.
    const delayed = await submit(KEYS.alice, sleep(50, { delayMs: 60_000 }));
    assert.equal((await call(KEYS.alice, 'DELETE', `/v1/jobs/${delayed}`)).status, 200);
    const retried = await call(KEYS.alice, 'POST', `/v1/jobs/${delayed}/retry`);
    assert.equal(retried.status, 202, JSON.stringify(retried.body));
    assert.notEqual(retried.body.id, delayed);
    assert.equal(retried.body.retryOf, delayed);
    assert.equal(retried.headers.get('location'), `/v1/jobs/${retried.body.id}`);
    const copy = await reach(KEYS.alice, retried.body.id, 'completed');
    assert.deepEqual(copy.result, { sleptMs: 50 }, 'the same payload ran, without the delay');
    assert.equal(copy.tenant, 'tenant-a');
    assert.equal((await viewOf(KEYS.alice, delayed)).state, 'cancelled');

    // Cancelled while it ran.
    const running = await submit(KEYS.alice, sleep(60_000));
    await reach(KEYS.alice, running, 'active');
    assert.equal((await call(KEYS.alice, 'DELETE', `/v1/jobs/${running}`)).status, 200);
    const rerun = await call(KEYS.alice, 'POST', `/v1/jobs/${running}/retry`);
    assert.equal(rerun.status, 202);
    await reach(KEYS.alice, rerun.body.id, 'active');
    assert.equal((await viewOf(KEYS.alice, running)).state, 'cancelled');
    assert.equal((await call(KEYS.alice, 'DELETE', `/v1/jobs/${rerun.body.id}`)).status, 200);
  });

  it("a retried job counts towards its tenant's pending jobs (TENANT_MAX_PENDING_JOBS)", async () => {
    const failedIds = [await submit(KEYS.quota, timingOut), await submit(KEYS.quota, timingOut)];
    for (const id of failedIds) await reach(KEYS.quota, id, 'failed');
    // Paused, the lane keeps what is retried waiting: pending until resumed.
    assert.equal((await call(KEYS.admin, 'POST', '/v1/queues/io/pause')).status, 200);
    try {
      const sleepers = [
        await submitOnceRoomIsBack(KEYS.quota, sleep(1)),
        await submitOnceRoomIsBack(KEYS.quota, sleep(1)),
      ];
      const retried = await call(KEYS.quota, 'POST', `/v1/jobs/${failedIds[0]}/retry`);
      assert.equal(retried.status, 202, JSON.stringify(retried.body));
      const full = await call(KEYS.quota, 'POST', '/v1/jobs', sleep(1));
      assert.equal(full.status, 429, 'the retried job took the last place');
      const refused = await call(KEYS.quota, 'POST', `/v1/jobs/${failedIds[1]}/retry`);
      assert.equal(refused.status, 429, JSON.stringify(refused.body));
      assert.ok(refused.headers.get('retry-after'));
      assert.equal(
        (await viewOf(KEYS.quota, failedIds[1])).state,
        'failed',
        'a refused retry changes nothing',
      );
      assert.equal((await call(KEYS.quota, 'DELETE', `/v1/jobs/${sleepers[0]}`)).status, 200);
      assert.equal((await call(KEYS.quota, 'POST', `/v1/jobs/${failedIds[1]}/retry`)).status, 202);
    } finally {
      assert.equal((await call(KEYS.admin, 'POST', '/v1/queues/io/resume')).status, 200);
    }
    for (const id of failedIds) {
      const view = await reach(KEYS.quota, id, 'failed');
      assert.equal(view.attempts.made, 2);
    }
  });

  it('lists dead letters: failed jobs with their last error and attempts, never cancelled ones', async () => {
    const twice = await submit(KEYS.alice, {
      ...crash,
      attempts: 2,
      backoff: { type: 'fixed', delayMs: 10 },
    });
    const cancelled = await submit(KEYS.alice, { task: 'diag.spin', payload: { ms: 30_000 }, lane: 'cpu' });
    await reach(KEYS.alice, cancelled, 'active');
    assert.equal((await call(KEYS.alice, 'DELETE', `/v1/jobs/${cancelled}`)).status, 200);
    await reach(KEYS.alice, twice, 'failed');

    const tenantList = await call(KEYS.alice, 'GET', '/v1/jobs?state=failed');
    assert.equal(tenantList.status, 200);
    const adminList = await call(KEYS.admin, 'GET', '/v1/jobs?state=failed&lane=cpu&limit=500');
    for (const [who, list] of [
      ['tenant', tenantList],
      ['admin', adminList],
    ] as const) {
      const jobs = list.body.jobs as {
        id: string;
        state: string;
        error?: { name: string; attemptsMade: number };
        attempts: { made: number };
      }[];
      assert.ok(jobs.length > 0, `${who}: no dead letters`);
      assert.ok(
        jobs.every((job) => job.state === 'failed' && job.error),
        `${who}: not all failed with an error`,
      );
      assert.ok(!jobs.some((job) => job.id === cancelled), `${who}: a cancelled job listed as failed`);
      const listed = jobs.find((job) => job.id === twice);
      assert.ok(listed, `${who}: the failed job is missing`);
      assert.equal(listed.error?.name, 'DiagnosticCrashError');
      assert.equal(listed.error?.attemptsMade, 2);
      assert.equal(listed.attempts.made, 2);
    }
    const cancelledList = await call(KEYS.alice, 'GET', '/v1/jobs?state=cancelled');
    assert.ok(cancelledList.body.jobs.some((job: { id: string }) => job.id === cancelled));
    const bobsList = await call(KEYS.bob, 'GET', '/v1/jobs?state=failed');
    assert.equal(bobsList.status, 200);
    assert.ok(
      !bobsList.body.jobs.some((job: { id: string }) => job.id === twice),
      "A's dead letter in B's list",
    );
  });

  it('pauses and resumes a lane (admin only); GET /v1/queues shows the flag', async () => {
    const refused = await call(KEYS.alice, 'POST', '/v1/queues/io/pause');
    assert.equal(refused.status, 403);
    assert.match(refused.body.detail, /admin/);
    const unknown = await call(KEYS.admin, 'POST', '/v1/queues/nowhere/pause');
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.detail, /no lane is named "nowhere"; the lanes are: .*\bio\b/);
    assert.ok(unknown.body.lanes.includes('io') && unknown.body.lanes.includes('cpu'));
    assert.equal((await call(KEYS.admin, 'POST', '/v1/queues/nowhere/resume')).status, 404);

    const paused = await call(KEYS.admin, 'POST', '/v1/queues/io/pause');
    assert.equal(paused.status, 200);
    assert.deepEqual(paused.body, { lane: 'io', paused: true });
    const flags = await lanes();
    assert.equal(flags.find((lane) => lane.lane === 'io')?.paused, true);
    assert.ok(flags.filter((lane) => lane.lane !== 'io').every((lane) => lane.paused === false));
    const tenantView = await call(KEYS.alice, 'GET', '/v1/queues');
    assert.equal(tenantView.body.lanes.find((lane: { lane: string }) => lane.lane === 'io').paused, true);

    const held = await submit(KEYS.alice, sleep(1));
    const whilePaused = (await call(KEYS.alice, 'GET', `/v1/jobs/${held}?waitMs=1500`)).body;
    assert.equal(whilePaused.state, 'waiting', 'a paused lane runs nothing');
    const cpuJob = await submit(KEYS.alice, { task: 'cpu.primes', payload: { limit: 1_000 }, lane: 'cpu' });
    await reach(KEYS.alice, cpuJob, 'completed');

    const resumed = await call(KEYS.admin, 'POST', '/v1/queues/io/resume');
    assert.deepEqual(resumed.body, { lane: 'io', paused: false });
    await reach(KEYS.alice, held, 'completed');
    assert.equal((await lanes()).find((lane) => lane.lane === 'io')?.paused, false);
  });
});
