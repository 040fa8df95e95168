import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { createApiKey } from '@switchyard/auth';
import { startE2eStack, type E2eStack } from '../helpers/e2e-stack';

const KEYS = {
  alice: createApiKey('tenant-a', ['jobs:write', 'jobs:read', 'jobs:cancel']),
  bob: createApiKey('tenant-b', ['jobs:write', 'jobs:read']),
  admin: createApiKey('ops', ['admin']),
};
type Who = keyof typeof KEYS;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- problem details and job views, read loosely
type ResponseBody = Record<string, any>;

/**
 * Limits that turn a flood into backpressure, and the routing policy, against the real api with keys.
 * No consumer serves the lanes here, so submitted jobs stay pending and the caps are reached on purpose.
 */
describe('limits and routing policy (real api, AUTH=keys)', () => {
  let e2e: E2eStack;

  async function call(
    who: Who,
    method: string,
    path: string,
    body?: unknown,
    extra: Record<string, string> = {},
  ) {
    const response = await fetch(`${e2e.stack.apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${KEYS[who].key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...extra,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as ResponseBody,
    };
  }

  before(async () => {
    e2e = await startE2eStack([], {
      AUTH: 'keys',
      API_KEYS: Object.values(KEYS)
        .map(({ entry }) => entry)
        .join('\n'),
      TENANT_MAX_PENDING_JOBS: '5',
      LANE_MAX_DEPTH: '8',
      JOB_DELAY_MAX_MS: '60000',
      JOB_PAYLOAD_MAX_BYTES: '512',
      RATE_LIMIT: '40/60',
    });
    // Only the api: the jobs must stay pending.
    await Promise.all(
      e2e.stack.services.filter((service) => service.app !== 'api').map((service) => service.process.stop()),
    );
  });
  after(() => e2e?.stop());

  const sleep = (ms: number) => ({ task: 'io.sleep', payload: { ms } });

  it("a tenant's pending jobs are capped (429 + Retry-After), and another tenant is not affected", async () => {
    const accepted = [];
    for (let index = 0; index < 5; index++)
      accepted.push(await call('alice', 'POST', '/v1/jobs', sleep(index)));
    assert.deepEqual(
      accepted.map((response) => response.status),
      [202, 202, 202, 202, 202],
    );
    const refused = await call('alice', 'POST', '/v1/jobs', sleep(9));
    assert.equal(refused.status, 429);
    assert.match(refused.body.detail, /TENANT_MAX_PENDING_JOBS/);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    const batch = await call('alice', 'POST', '/v1/jobs/batch', { jobs: [sleep(1)] });
    assert.equal(batch.status, 429, 'a batch counts too');
    // Cancelling a waiting job gives its room back.
    assert.equal((await call('alice', 'DELETE', `/v1/jobs/${accepted[0].body.id}`)).status, 200);
    assert.equal((await call('alice', 'POST', '/v1/jobs', sleep(10))).status, 202);
    assert.equal((await call('bob', 'POST', '/v1/jobs', sleep(1))).status, 202, 'tenant B has its own room');
  });

  it('a lane is capped at LANE_MAX_DEPTH for everyone (429 + Retry-After)', async () => {
    // The lane guard caches a lane's depth for 250 ms and counts what it admits into it at once, but not
    // what leaves (the cancel above): start from a fresh reading.
    await delay(300);
    // 5 (alice) + 1 (bob) wait in io; two more fill it, a batch of two overflows it.
    assert.equal((await call('bob', 'POST', '/v1/jobs/batch', { jobs: [sleep(1), sleep(2)] })).status, 202);
    const overflow = await call('bob', 'POST', '/v1/jobs/batch', { jobs: [sleep(1), sleep(2)] });
    assert.equal(overflow.status, 429);
    assert.match(overflow.body.detail, /LANE_MAX_DEPTH/);
    assert.ok(Number(overflow.headers.get('retry-after')) > 0);
  });

  it('refuses what would fill Redis: a long delay, a large payload (422 naming the limit)', async () => {
    const delayed = await call('bob', 'POST', '/v1/jobs', { ...sleep(1), delayMs: 31_536_000_000 });
    assert.equal(delayed.status, 422);
    assert.match(delayed.body.detail, /JOB_DELAY_MAX_MS/);
    const large = await call('bob', 'POST', '/v1/jobs', {
      task: 'cpu.hash',
      payload: { input: 'x'.repeat(2_000), rounds: 1 },
    });
    assert.equal(large.status, 422);
    assert.match(large.body.detail, /JOB_PAYLOAD_MAX_BYTES/);
    const priority = await call('bob', 'POST', '/v1/jobs', { ...sleep(1), priority: 2_097_152 });
    assert.equal(priority.status, 422);
    assert.equal(priority.body.errors[0].path, 'priority');
  });

  it('a CPU task may not be moved onto the io lane (422 naming its lanes) unless the key is admin', async () => {
    for (const move of [{ profile: 'io' }, { lane: 'io' }]) {
      const refused = await call('bob', 'POST', '/v1/jobs', {
        task: 'cpu.primes',
        payload: { limit: 10 },
        ...move,
      });
      assert.equal(refused.status, 422, JSON.stringify(move));
      assert.match(refused.body.detail, /cpu\.primes runs under profile cpu, on lanes cpu/);
    }
    const refusedInBatch = await call('bob', 'POST', '/v1/jobs/batch', {
      jobs: [{ task: 'cpu.primes', payload: { limit: 10 }, profile: 'io' }],
    });
    assert.equal(refusedInBatch.status, 422);
    const admin = await call('admin', 'POST', '/v1/jobs', {
      task: 'cpu.primes',
      payload: { limit: 10 },
      profile: 'cpu',
    });
    assert.equal(admin.status, 202);
    const misrouted = await call('admin', 'POST', '/v1/jobs', {
      task: 'cpu.primes',
      payload: { limit: 10 },
      lane: 'cpu-inline',
    });
    assert.equal(misrouted.status, 202, 'a cpu lane is fine for a cpu task');
  });

  it('shows io.http credentials as "[redacted]" in the job view', async () => {
    const submitted = await call('bob', 'POST', '/v1/jobs', {
      task: 'io.http',
      payload: {
        url: 'http://127.0.0.1/path?token=hunter2',
        headers: { Authorization: 'Bearer s3cret', 'x-api-key': 'k3y', accept: 'text/plain' },
      },
      lane: 'cpu',
    });
    assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
    const view = await call('bob', 'GET', `/v1/jobs/${submitted.body.id}`);
    const text = JSON.stringify(view.body);
    for (const secret of ['hunter2', 's3cret', 'k3y'])
      assert.ok(!text.includes(secret), `${secret} in ${text}`);
    assert.equal(view.body.payload.headers.Authorization, '[redacted]');
    assert.equal(view.body.payload.headers.accept, 'text/plain');
  });

  it("lists by task from the index: a tenant's own jobs, newest first", async () => {
    const list = await call('bob', 'GET', '/v1/jobs?task=io.sleep&limit=2');
    assert.equal(list.status, 200);
    assert.equal(list.body.jobs.length, 2);
    assert.ok(
      list.body.jobs.every(
        (job: { task: string; tenant: string }) => job.task === 'io.sleep' && job.tenant === 'tenant-b',
      ),
    );
    assert.ok(list.body.nextCursor);
    const next = await call('bob', 'GET', `/v1/jobs?task=io.sleep&limit=2&cursor=${list.body.nextCursor}`);
    assert.equal(next.status, 200);
    assert.ok(
      !next.body.jobs.some((job: { id: string }) =>
        list.body.jobs.some((seen: { id: string }) => seen.id === job.id),
      ),
    );
    const forged = await call('bob', 'GET', '/v1/jobs?task=io.sleep&cursor=WzEsIngiXQ');
    assert.equal(forged.status, 400);
  });

  it('rate-limits per key with RateLimit-* headers and Retry-After', async () => {
    let last;
    for (let index = 0; index < 45; index++) {
      last = await fetch(`${e2e.stack.apiUrl}/v1/tasks`, {
        headers: { authorization: `Bearer ${KEYS.admin.key}` },
      });
      if (last.status === 429) break;
    }
    assert.equal(last?.status, 429);
    assert.equal(last?.headers.get('ratelimit-limit'), '40');
    assert.ok(Number(last?.headers.get('retry-after')) > 0);
    const problem = (await last?.json()) as { detail: string };
    assert.match(problem.detail, /RATE_LIMIT/);
  });
});
