import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureRedis, freePort, type RedisHandle } from '@switchyard/local-stack';
import { Redis } from 'ioredis';
import {
  consumerStats,
  eventually,
  startE2eStack,
  waitUntilRunning,
  type E2eStack,
} from '../helpers/e2e-stack';

/**
 * A lane on a Redis of its own (LANE_REDIS_URLS=cpu=…): the cpu lane's jobs and keys live on a private
 * redis-server, everything else (the other lanes, the job index, quotas, cancels) on REDIS_URL; the
 * real apps run jobs on both, a batch spans both, and a cancel reaches the cpu lane's consumer.
 */
describe('a lane with its own Redis (LANE_REDIS_URLS)', () => {
  let laneRedis: RedisHandle;
  let e2e: E2eStack;

  before(async () => {
    // Nothing answers on a fresh free port, so this starts a private redis-server (on another one).
    laneRedis = await ensureRedis(`redis://127.0.0.1:${await freePort()}`);
    assert.ok(laneRedis.started);
    e2e = await startE2eStack([], { LANE_REDIS_URLS: `cpu=${laneRedis.url}` });
  });
  after(async () => {
    await e2e?.stop();
    await laneRedis?.stop();
  });

  const keysOf = async (url: string, lane: string): Promise<string[]> => {
    const redis = new Redis(url, { maxRetriesPerRequest: 1 });
    try {
      return await redis.keys(`${e2e.stack.prefix}:{${lane}}:*`);
    } finally {
      redis.disconnect();
    }
  };

  it('runs jobs on both Redis servers, a batch across them, and keeps the cpu lane on its own', async () => {
    const { client } = e2e;
    const batch = await client.submitBatch([
      { task: 'io.sleep', payload: { ms: 1 } },
      { task: 'cpu.primes', payload: { limit: 100 }, lane: 'cpu' },
    ]);
    const views = await client.waitForAll(batch.map(({ id }) => id));
    assert.deepEqual(
      views.map((view) => [view.state, view.execution?.lane]),
      [
        ['completed', 'io'],
        ['completed', 'cpu'],
      ],
    );
    assert.ok((await keysOf(laneRedis.url, 'cpu')).length > 0, "the cpu lane's keys are on its Redis");
    assert.deepEqual(await keysOf(e2e.stack.redisUrl, 'cpu'), [], 'and none on REDIS_URL');
    assert.deepEqual(await keysOf(laneRedis.url, 'io'), [], 'the io lane stays on REDIS_URL');
    const cpuStats = (await client.queues()).find((lane) => lane.lane === 'cpu');
    assert.equal(cpuStats?.completed, 1);
  });

  it("cancels a running job of the lane: the cancel reaches the lane's consumer", async () => {
    const { client } = e2e;
    const { id } = await client.submit({ task: 'diag.spin', payload: { ms: 30_000 }, lane: 'cpu' });
    await waitUntilRunning(client, id);
    assert.equal((await client.cancel(id)).state, 'cancelled');
    await eventually(
      async () => (await consumerStats(e2e.compute('worker-threads'))).activeJobs === 0,
      'the compute consumer to stop the cancelled job',
    );
    assert.equal((await client.queues()).find((lane) => lane.lane === 'cpu')?.cancelled, 1);
  });
});
