import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiKey } from '@switchyard/auth';
import { startRedisCluster, type RedisClusterHandle } from '@switchyard/local-stack';
import { Redis } from 'ioredis';
import { consumerStats, eventually, startE2eStack, type E2eStack } from '../helpers/e2e-stack';
import { openEventStream } from './operator/sse-client';

const KEYS = {
  alice: createApiKey('tenant-a', ['jobs:write', 'jobs:read', 'jobs:cancel']),
  quota: createApiKey('tenant-q', ['jobs:write', 'jobs:read', 'jobs:cancel']),
  limited: createApiKey('tenant-l', ['jobs:read']),
};
type Key = (typeof KEYS)[keyof typeof KEYS];
/** TENANT_MAX_PENDING_JOBS and RATE_LIMIT's count in this stack. */
const PENDING_MAX = 3;
const RATE_MAX = 60;
const PREFIX = 'sy-cluster';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- job views and problem details, read loosely
type Body = Record<string, any>;

/**
 * The real apps (api, io-consumer, a compute per execution model) with REDIS_MODE=cluster against a
 * Redis Cluster of 3 masters started here from redis-server: each lane's keys in its own hash slot,
 * and the io and cpu lanes on different masters (the tags `{io}` and `{cpu}` hash to slots 11515 and
 * 9296, which `redis-cli --cluster create` gives to the third and the second master).
 */
describe('Switchyard on a real 3-master Redis Cluster (REDIS_MODE=cluster)', () => {
  let cluster: RedisClusterHandle;
  let e2e: E2eStack;

  const call = async (key: Key, method: string, path: string, body?: unknown, headers = {}) => {
    const response = await fetch(`${e2e.stack.apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key.key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Body };
  };
  const submit = async (key: Key, request: unknown, headers = {}): Promise<string> => {
    const accepted = await call(key, 'POST', '/v1/jobs', request, headers);
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    return accepted.body.id as string;
  };
  /** The job's view once it is in `state` (waiting reads: the api follows the lane's event stream). */
  const reach = (id: string, state: string) =>
    eventually(
      async () => {
        const view = (await call(KEYS.alice, 'GET', `/v1/jobs/${id}?waitMs=5000`)).body;
        return view.state === state && view;
      },
      `job ${id} to be ${state}`,
      30_000,
    );

  before(async () => {
    cluster = await startRedisCluster();
    e2e = await startE2eStack(
      [],
      {
        AUTH: 'keys',
        API_KEYS: Object.values(KEYS)
          .map(({ entry }) => entry)
          .join(','),
        TENANT_MAX_PENDING_JOBS: String(PENDING_MAX),
        RATE_LIMIT: `${RATE_MAX}/60`,
      },
      { redisUrl: cluster.seeds, redisMode: 'cluster', prefix: PREFIX },
    );
  });
  after(async () => {
    await e2e?.stop();
    await cluster?.stop();
  });

  it('runs jobs on the io and cpu lanes, and a batch spanning both', async () => {
    const io = await submit(KEYS.alice, { task: 'io.sleep', payload: { ms: 5 } });
    const cpu = await submit(KEYS.alice, { task: 'cpu.primes', payload: { limit: 1_000 }, lane: 'cpu' });
    assert.deepEqual((await reach(io, 'completed')).result, { sleptMs: 5 });
    assert.equal((await reach(cpu, 'completed')).execution.lane, 'cpu');

    const batch = await call(KEYS.alice, 'POST', '/v1/jobs/batch', {
      jobs: [
        { task: 'io.sleep', payload: { ms: 1 } },
        { task: 'cpu.primes', payload: { limit: 100 }, lane: 'cpu' },
        { task: 'cpu.primes', payload: { limit: 100 }, lane: 'cpu-processes' },
      ],
    });
    assert.equal(batch.status, 202, JSON.stringify(batch.body));
    const views = await Promise.all(
      (batch.body.jobs as { id: string }[]).map(({ id }) => reach(id, 'completed')),
    );
    assert.deepEqual(
      views.map((view) => view.execution.lane),
      ['io', 'cpu', 'cpu-processes'],
    );
  });

  it("keeps each lane's keys on one master, the io and cpu lanes on different ones", async () => {
    const laneNodes = new Map<string, Set<string>>();
    for (const url of cluster.nodeUrls) {
      const node = new Redis(url, { maxRetriesPerRequest: 1 });
      try {
        for (const lane of ['io', 'cpu', 'cpu-processes']) {
          const [, keys] = await node.scan('0', 'MATCH', `${PREFIX}:{${lane}}:${lane}:*`, 'COUNT', 10_000);
          if (keys.length > 0) laneNodes.set(lane, (laneNodes.get(lane) ?? new Set()).add(url));
          // Every key of the lane in the lane's one slot.
          const slots = new Set(await Promise.all(keys.map((key) => node.cluster('KEYSLOT', key))));
          assert.ok(slots.size <= 1, `${lane}'s keys span slots ${[...slots].join(', ')}`);
        }
      } finally {
        node.disconnect();
      }
    }
    for (const lane of ['io', 'cpu', 'cpu-processes']) {
      assert.equal(laneNodes.get(lane)?.size, 1, `${lane}'s keys on ${[...(laneNodes.get(lane) ?? [])]}`);
    }
    const [ioNode] = laneNodes.get('io') ?? [];
    const [cpuNode] = laneNodes.get('cpu') ?? [];
    assert.notEqual(ioNode, cpuNode, 'the io and cpu lanes share a master');
  });

  it('cancels a running job: the cancel reaches its consumer over pub/sub', async () => {
    const id = await submit(KEYS.alice, { task: 'io.sleep', payload: { ms: 60_000 } });
    await reach(id, 'active');
    assert.equal((await call(KEYS.alice, 'DELETE', `/v1/jobs/${id}`)).status, 200);
    await reach(id, 'cancelled');
    const ioConsumer = e2e.service('io-consumer');
    await eventually(
      async () => (await consumerStats(ioConsumer)).activeJobs === 0,
      'the io-consumer to stop the cancelled job',
    );
  });

  it('replays an Idempotency-Key and lists the tenant’s jobs (the job index)', async () => {
    const body = { task: 'io.sleep', payload: { ms: 2 } };
    const first = await submit(KEYS.alice, body, { 'idempotency-key': 'cluster-key-1' });
    const again = await submit(KEYS.alice, body, { 'idempotency-key': 'cluster-key-1' });
    assert.equal(again, first);
    const refused = await call(
      KEYS.alice,
      'POST',
      '/v1/jobs',
      { ...body, payload: { ms: 3 } },
      { 'idempotency-key': 'cluster-key-1' },
    );
    assert.equal(refused.status, 409);
    await reach(first, 'completed');
    const list = await call(KEYS.alice, 'GET', '/v1/jobs?task=io.sleep&limit=100');
    assert.equal(list.status, 200);
    assert.ok(list.body.jobs.some((job: Body) => job.id === first));
  });

  it('streams a job’s events over SSE', async () => {
    const id = await submit(KEYS.alice, { task: 'io.sleep', payload: { ms: 300 } });
    const events = await openEventStream(`${e2e.stack.apiUrl}/v1/jobs/${id}/events`, {
      authorization: `Bearer ${KEYS.alice.key}`,
    });
    const timer = setTimeout(() => events.abort(), 30_000);
    await events.ended;
    clearTimeout(timer);
    assert.ok(
      events.events.some((event) => event.event === 'completed'),
      events.raw().slice(0, 2000),
    );
  });

  it("caps a tenant's pending jobs (429), on the tenant's own slot", async () => {
    const delayed = { task: 'io.sleep', payload: { ms: 1 }, delayMs: 60_000 };
    const ids = [];
    for (let index = 0; index < PENDING_MAX; index++) ids.push(await submit(KEYS.quota, delayed));
    const refused = await call(KEYS.quota, 'POST', '/v1/jobs', delayed);
    assert.equal(refused.status, 429);
    assert.match(refused.body.detail, /TENANT_MAX_PENDING_JOBS/);
    for (const id of ids) assert.equal((await call(KEYS.quota, 'DELETE', `/v1/jobs/${id}`)).status, 200);
  });

  it('rate-limits per key (RATE_LIMIT), counted in the cluster', async () => {
    let last;
    for (let index = 0; index <= RATE_MAX; index++) {
      last = await fetch(`${e2e.stack.apiUrl}/v1/tasks`, {
        headers: { authorization: `Bearer ${KEYS.limited.key}` },
      });
      if (last.status === 429) break;
    }
    assert.equal(last?.status, 429);
    assert.equal(last?.headers.get('ratelimit-limit'), String(RATE_MAX));
  });

  // Last: it takes a master down for good.
  it('answers 503 (not 500) once a master is lost and the cluster is down', async () => {
    // The second master holds slot 9296, the cpu lane's; with no replica its slots are lost.
    await cluster.stopNode(1);
    const cpuJob = { task: 'cpu.primes', payload: { limit: 10 }, lane: 'cpu' };
    const answer = await eventually(
      async () => {
        const response = await call(KEYS.alice, 'POST', '/v1/jobs', cpuJob);
        return response.status !== 202 && response;
      },
      'a submission refused with the cluster down',
      30_000,
    );
    assert.equal(answer.status, 503, JSON.stringify(answer.body));
    assert.equal(answer.body.title, 'Service unavailable');
  });
});
