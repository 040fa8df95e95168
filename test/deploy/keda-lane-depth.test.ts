import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Queue, Worker } from 'bullmq';
import { laneQueuePrefix } from '@switchyard/queue';
import { Redis } from 'ioredis';
import path from 'node:path';
import { ciValuesFiles } from './support/ci-values';
import { renderChart } from './support/helm-cli';

/**
 * How KEDA's redis scaler measures `listName` (kedacore/keda pkg/scalers/redis_scaler.go): by the key's
 * type, LLEN for a list and ZCARD for a sorted set. KEDA cannot run here; its measuring script can, against
 * the real Redis, on keys that real BullMQ queues wrote.
 */
const KEDA_LENGTH_SCRIPT = `
local listType = redis.call('type', KEYS[1]).ok
local cmd = { zset = 'zcard', set = 'scard', list = 'llen', hash = 'hlen', none = 'llen' }
return redis.call(cmd[listType], KEYS[1])`;

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('KEDA lane depth against real BullMQ keys', () => {
  const prefix = `test-${randomUUID()}`;
  let redis: Redis;
  let queue: Queue;

  before(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue('io', { connection: redis, prefix: laneQueuePrefix(prefix, 'io') });
  });

  after(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await redis.quit();
  });

  it('counts waiting, prioritized and active jobs of the lane, not delayed ones', async () => {
    const kedaValues = ciValuesFiles().find((file) => path.basename(file) === 'keda-values.yaml');
    assert.ok(kedaValues);
    const objects = await renderChart(['-f', kedaValues, '--set', `queue.prefix=${prefix}`]);
    const scaled = objects.find(
      (object) => object.kind === 'ScaledObject' && object.metadata.name.endsWith('-io-consumer'),
    );
    assert.ok(scaled, 'no ScaledObject for the io-consumer');
    const triggers = (scaled.spec as { triggers: { metadata: { listName: string } }[] }).triggers;

    await queue.addBulk([1, 2, 3].map((n) => ({ name: 'io.sleep', data: { n } })));
    await queue.add('io.sleep', { n: 4 }, { priority: 1 });
    await queue.add('io.sleep', { n: 5 }, { priority: 5 });
    await queue.addBulk([6, 7].map((n) => ({ name: 'io.sleep', data: { n }, opts: { delay: 60_000 } })));

    // One job taken by a consumer (active): it still needs its pod, so KEDA must count it.
    const worker = new Worker('io', null, {
      connection: redis.duplicate(),
      prefix: laneQueuePrefix(prefix, 'io'),
      autorun: false,
    });
    const taken = await worker.getNextJob('token');
    assert.ok(taken, 'the worker took no job');

    const measured = await Promise.all(
      triggers.map(async (trigger) =>
        Number(await redis.eval(KEDA_LENGTH_SCRIPT, 1, trigger.metadata.listName)),
      ),
    );
    const counts = await queue.getJobCounts('wait', 'prioritized', 'active');
    assert.deepEqual(
      measured,
      [counts.wait, counts.prioritized, counts.active],
      `per trigger ${JSON.stringify(triggers.map((t) => t.metadata.listName))}`,
    );
    assert.equal(counts.active, 1);
    assert.equal(
      measured.reduce((sum, value) => sum + value, 0),
      5,
      'the formula wait + prioritized + active sums every job but the delayed ones',
    );
    await worker.close();
    assert.equal(await queue.getDelayedCount(), 2, 'the delayed jobs exist but were not counted');
  });
});
