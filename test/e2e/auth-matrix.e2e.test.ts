import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiKey } from '@switchyard/auth';
import { startE2eStack, type E2eStack } from '../helpers/e2e-stack';

/**
 * The auth × scope × tenant matrix against the real api (AUTH=keys): who may do what to whose job.
 * Every refusal is an RFC 9457 problem; another tenant's job is a 404, as if it did not exist.
 */
const KEYS = {
  alice: createApiKey('tenant-a', ['jobs:write', 'jobs:read', 'jobs:cancel']),
  bob: createApiKey('tenant-b', ['jobs:write', 'jobs:read', 'jobs:cancel']),
  reader: createApiKey('tenant-a', ['jobs:read']),
  writer: createApiKey('tenant-a', ['jobs:write']),
  admin: createApiKey('ops', ['admin']),
};
type Who = keyof typeof KEYS | 'nobody' | 'forged';

describe('auth × scope × tenant (real api, AUTH=keys)', () => {
  let e2e: E2eStack;
  let apiUrl: string;
  const statuses = new Map<number, number>();

  async function call(who: Who, method: string, path: string, body?: unknown) {
    const headers: Record<string, string> = {};
    if (who === 'forged') headers.authorization = `Bearer sy_${'x'.repeat(43)}`;
    else if (who !== 'nobody') headers.authorization = `Bearer ${KEYS[who].key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    const text = await response.text();
    const json = /json/.test(response.headers.get('content-type') ?? '');
    return { status: response.status, headers: response.headers, body: json ? JSON.parse(text) : text };
  }

  const sleepJob = { task: 'io.sleep', payload: { ms: 60_000 } };

  before(async () => {
    e2e = await startE2eStack([], {
      AUTH: 'keys',
      API_KEYS: Object.values(KEYS)
        .map(({ entry }) => entry)
        .join(','),
    });
    apiUrl = e2e.stack.apiUrl;
  });
  after(async () => {
    await e2e?.stop();
    const counts = [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${count} × ${status}`);
    console.log(
      `auth matrix: 6 keys (2 tenants, read-only, write-only, admin, forged) and none: ${counts.join(', ')}`,
    );
  });

  it('401 with WWW-Authenticate without a key or with a wrong one; probes stay open', async () => {
    for (const who of ['nobody', 'forged'] as const) {
      for (const [method, path] of [
        ['GET', '/v1/tasks'],
        ['GET', '/v1/jobs'],
        ['POST', '/v1/jobs'],
        ['GET', '/metrics'],
        ['GET', '/docs-json'],
      ]) {
        const response = await call(who, method, path, method === 'POST' ? sleepJob : undefined);
        assert.equal(response.status, 401, `${who} ${method} ${path}`);
        assert.equal(response.headers.get('www-authenticate'), 'Bearer');
        assert.equal(response.body.status, 401);
      }
    }
    const probe = await call('nobody', 'GET', '/healthz');
    assert.equal(probe.status, 200);
    // helmet's headers, on every answer
    assert.equal(probe.headers.get('x-content-type-options'), 'nosniff');
    assert.match(probe.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.equal(probe.headers.get('access-control-allow-origin'), null, 'CORS is off by default');
    assert.equal((await call('nobody', 'GET', '/readyz')).status, 200);
  });

  it('403 for a missing scope, naming it', async () => {
    const submitted = await call('alice', 'POST', '/v1/jobs', sleepJob);
    assert.equal(submitted.status, 202);
    const id = submitted.body.id as string;
    const refused: [Who, string, string, string][] = [
      ['reader', 'POST', '/v1/jobs', 'jobs:write'],
      ['reader', 'POST', '/v1/jobs/batch', 'jobs:write'],
      ['reader', 'DELETE', `/v1/jobs/${id}`, 'jobs:cancel'],
      ['writer', 'GET', `/v1/jobs/${id}`, 'jobs:read'],
      ['writer', 'GET', '/v1/jobs', 'jobs:read'],
      ['alice', 'GET', '/metrics', 'admin'],
      ['alice', 'GET', '/docs-json', 'admin'],
    ];
    for (const [who, method, path, scope] of refused) {
      const response = await call(who, method, path, method === 'POST' ? sleepJob : undefined);
      assert.equal(response.status, 403, `${who} ${method} ${path}`);
      assert.match(response.body.detail, new RegExp(scope));
    }
    assert.equal((await call('reader', 'GET', `/v1/jobs/${id}`)).status, 200, 'same tenant, read scope');
    assert.equal((await call('alice', 'DELETE', `/v1/jobs/${id}`)).status, 200);
  });

  it("tenant B cannot read, list or cancel tenant A's job: 404, as if absent; admin sees and cancels it", async () => {
    const submitted = await call('alice', 'POST', '/v1/jobs', sleepJob);
    const id = submitted.body.id as string;
    assert.equal((await call('bob', 'GET', `/v1/jobs/${id}`)).status, 404);
    assert.equal((await call('bob', 'DELETE', `/v1/jobs/${id}`)).status, 404);
    const bobsList = await call('bob', 'GET', '/v1/jobs');
    assert.equal(bobsList.status, 200);
    assert.ok(!bobsList.body.jobs.some((job: { id: string }) => job.id === id), "A's job in B's list");
    const alicesList = await call('alice', 'GET', '/v1/jobs');
    assert.ok(
      alicesList.body.jobs.some((job: { id: string }) => job.id === id),
      "A's job missing from A's list",
    );
    assert.ok(alicesList.body.jobs.every((job: { tenant: string }) => job.tenant === 'tenant-a'));
    const adminView = await call('admin', 'GET', `/v1/jobs/${id}`);
    assert.equal(adminView.status, 200);
    assert.equal(adminView.body.tenant, 'tenant-a');
    assert.equal((await call('admin', 'DELETE', `/v1/jobs/${id}`)).status, 200);
    assert.equal((await call('admin', 'GET', '/metrics')).status, 200);
  });

  it("an Idempotency-Key is the tenant's own: the same key from another tenant makes a new job", async () => {
    const send = (who: Who) =>
      fetch(`${apiUrl}/v1/jobs`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${KEYS[who as keyof typeof KEYS].key}`,
          'content-type': 'application/json',
          'idempotency-key': 'shared-key-1',
        },
        body: JSON.stringify({ task: 'io.sleep', payload: { ms: 1 } }),
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as { id: string },
      }));
    const [first, again, other] = [await send('alice'), await send('alice'), await send('bob')];
    assert.equal(first.status, 202);
    assert.equal(again.body.id, first.body.id);
    assert.equal(other.status, 202);
    assert.notEqual(other.body.id, first.body.id);
  });
});
