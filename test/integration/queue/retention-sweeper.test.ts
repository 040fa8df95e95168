import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { JobData } from '@switchyard/contracts';
import { createRedis, laneQueuePrefix, LaneQueues, RetentionSweeper } from '@switchyard/queue';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { deletePrefix } from '../../helpers/redis-cleanup';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LANE = 'io';

const data = (fail: boolean): JobData => ({
  task: 'io.sleep',
  tenant: 'tenant-a',
  payload: { fail },
  routing: { profile: 'io', lane: LANE, reason: 'task-default' },
  timeoutMs: 10_000,
});

/**
 * Retention by age without an `age` in the job options: jobs keep `removeOnComplete: { count }` only, and
 * the sweep removes, per lane, the finished jobs older than their retention and keeps the younger ones.
 */
describe('RetentionSweeper', () => {
  const prefix = `test-${randomUUID()}`;
  let client: Redis;
  let workerConnection: Redis;
  let queues: LaneQueues;
  let worker: Worker<JobData>;

  /** Adds jobs as the api does (retention by count) and waits until the worker finished them. */
  const runJobs = async (outcomes: boolean[]) => {
    const ids = await Promise.all(
      outcomes.map(async (fail) => {
        const id = randomUUID();
        await queues.get(LANE).add('io.sleep', data(fail), {
          jobId: id,
          removeOnComplete: { count: 100 },
          removeOnFail: { count: 100 },
        });
        return id;
      }),
    );
    for (let tries = 0; tries < 200; tries++) {
      const states = await Promise.all(ids.map((id) => queues.get(LANE).getJobState(id)));
      if (states.every((state) => state === 'completed' || state === 'failed')) return ids;
      await delay(25);
    }
    throw new Error('the worker did not finish the jobs');
  };

  before(() => {
    client = createRedis(REDIS_URL, 'client');
    workerConnection = createRedis(REDIS_URL, 'worker');
    queues = new LaneQueues({ connection: client, prefix, lanes: [LANE] });
    worker = new Worker<JobData>(
      LANE,
      async (job) => {
        if ((job.data.payload as { fail: boolean }).fail) throw new UnrecoverableError('asked to fail');
        return { ok: true };
      },
      { connection: workerConnection, prefix: laneQueuePrefix(prefix, LANE), concurrency: 10 },
    );
  });

  after(async () => {
    await worker.close();
    workerConnection.disconnect();
    await queues.close();
    await deletePrefix(REDIS_URL, prefix);
    client.disconnect();
  });

  it('removes finished jobs past their retention age and keeps the younger ones', async () => {
    const old = await runJobs([false, false, true]);
    await delay(1_200);
    const young = await runJobs([false, true]);
    const sweeper = new RetentionSweeper({ queues, completedSeconds: 1, failedSeconds: 1 });
    await sweeper.sweep();
    const state = (id: string) => queues.get(LANE).getJobState(id);
    for (const id of old) assert.equal(await state(id), 'unknown', `old job ${id} removed`);
    assert.deepEqual(await Promise.all(young.map(state)), ['completed', 'failed']);
    assert.equal(await queues.get(LANE).getCompletedCount(), 1);
    assert.equal(await queues.get(LANE).getFailedCount(), 1);
  });

  it('sweeps on its timer until closed', async () => {
    const ids = await runJobs([false]);
    const sweeper = new RetentionSweeper({ queues, completedSeconds: 0, failedSeconds: 0, intervalMs: 50 });
    sweeper.start();
    try {
      for (
        let tries = 0;
        tries < 100 && (await queues.get(LANE).getJobState(ids[0])) !== 'unknown';
        tries++
      ) {
        await delay(25);
      }
      assert.equal(await queues.get(LANE).getJobState(ids[0]), 'unknown');
    } finally {
      await sweeper.close();
    }
    const kept = await runJobs([false]);
    await delay(200);
    assert.equal(await queues.get(LANE).getJobState(kept[0]), 'completed', 'no sweep after close');
  });
});
