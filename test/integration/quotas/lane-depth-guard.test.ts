import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { createRedis, laneQueuePrefix } from '@switchyard/queue';
import { LaneDepthGuard, LaneFullError } from '@switchyard/quotas';
import { Queue, QueueKeys } from 'bullmq';
import type { Redis } from 'ioredis';
import { deletePrefix } from '../../helpers/redis-cleanup';
import { startPrivateRedis } from './private-redis-server';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('LaneDepthGuard against BullMQ lanes in a real Redis', () => {
  const prefix = `test-${randomUUID()}`;
  let redis: Redis;
  let queue: Queue;
  // The key layout the api gives the guard (its lanes' own `toKey`).
  const laneKey = (lane: string, type: string) =>
    new QueueKeys(laneQueuePrefix(prefix, lane)).toKey(lane, type);

  before(() => {
    redis = createRedis(REDIS_URL, 'client');
    queue = new Queue('io', { connection: redis, prefix: laneQueuePrefix(prefix, 'io') });
  });

  after(async () => {
    await queue.close();
    await deletePrefix(REDIS_URL, prefix);
    redis.disconnect();
  });

  it('counts waiting, prioritized and delayed jobs, as BullMQ does, and refuses past the cap', async () => {
    await queue.add('io.sleep', {});
    await queue.add('io.sleep', {}, { priority: 5 });
    await queue.add('io.sleep', {}, { delay: 60_000 });
    const counts = await queue.getJobCounts('wait', 'prioritized', 'delayed');
    assert.deepEqual(counts, { wait: 1, prioritized: 1, delayed: 1 });

    const guard = new LaneDepthGuard({ redis, laneKey, maxDepth: 4, cacheMs: 0, retryAfterSeconds: 3 });
    assert.equal(await guard.depth('io'), 3);
    assert.equal(await guard.depth('cpu'), 0, 'lanes are counted apart');
    await guard.assertRoom('io', 1);
    const refused = await guard.assertRoom('io', 2).then(
      () => assert.fail('admitted 2 jobs into a lane with room for 1'),
      (error: unknown) => error,
    );
    assert.ok(refused instanceof LaneFullError);
    assert.equal(refused.retryAfterSeconds, 3);
    assert.equal(refused.lane, 'io');
    assert.equal(refused.depth, 3);
    assert.match(
      refused.message,
      /lane "io" holds 3 jobs waiting or delayed and may hold at most 4 \(LANE_MAX_DEPTH\)/,
    );
    assert.match(refused.message, /Retry after 3 s/);
  });

  it('answers from its cache within cacheMs, counting its own admissions, and reads again after', async () => {
    const lane = `cached-${randomUUID()}`;
    const laneQueue = new Queue(lane, { connection: redis, prefix: laneQueuePrefix(prefix, lane) });
    try {
      const guard = new LaneDepthGuard({ redis, laneKey, maxDepth: 3, cacheMs: 300 });
      await guard.assertRoom(lane, 2);
      // Another replica fills the lane; this one still sees only what it admitted.
      await laneQueue.addBulk([1, 2, 3].map(() => ({ name: 'io.sleep', data: {} })));
      await guard.assertRoom(lane, 1);
      await assert.rejects(guard.assertRoom(lane, 1), LaneFullError, 'its own 3 admissions fill the cache');
      await delay(350);
      await assert.rejects(guard.assertRoom(lane, 1), (error: unknown) => {
        assert.ok(error instanceof LaneFullError);
        assert.equal(error.depth, 3, 'read again from Redis once the cache expired');
        return true;
      });
      await laneQueue.drain(true);
      await delay(350);
      await guard.assertRoom(lane, 3);
    } finally {
      await laneQueue.close();
    }
  });

  it('shares one Redis read among a burst of submissions', async () => {
    // A Redis of its own, so that its command count is this test's alone.
    const server = await startPrivateRedis([]);
    const own = createRedis(server.url, 'client');
    try {
      const guard = new LaneDepthGuard({ redis: own, laneKey, maxDepth: 10_000, cacheMs: 60_000 });
      const before = await commandsProcessed(own);
      await Promise.all(Array.from({ length: 50 }, () => guard.assertRoom('io', 1)));
      const used = (await commandsProcessed(own)) - before;
      // One MULTI of four counts is 6 commands, plus an INFO; a read per submission would be 300.
      assert.equal(used, 7, `${used} commands for 50 submissions`);
    } finally {
      own.disconnect();
      await server.stop();
    }
  });
});

async function commandsProcessed(redis: Redis): Promise<number> {
  const info = await redis.info('stats');
  return Number(/^total_commands_processed:(\d+)/m.exec(info)?.[1]);
}
