import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { createRedis } from '@switchyard/queue';
import {
  QuotaExceededError,
  TenantPendingJobs,
  type JobsFinished,
  type TenantPendingJobsOptions,
} from '@switchyard/quotas';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { eventually } from '../../helpers/e2e-stack';
import { deletePrefix } from '../../helpers/redis-cleanup';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function ids(count: number): string[] {
  return Array.from({ length: count }, () => randomUUID());
}

describe('TenantPendingJobs against a real Redis', () => {
  const prefix = `test-${randomUUID()}`;
  let redis: Redis;
  let otherReplica: Redis;

  before(() => {
    redis = createRedis(REDIS_URL, 'client');
    otherReplica = createRedis(REDIS_URL, 'client');
  });

  after(async () => {
    await deletePrefix(REDIS_URL, prefix);
    redis.disconnect();
    otherReplica.disconnect();
  });

  function pending(options: Partial<TenantPendingJobsOptions> & { maxPendingJobs: number }) {
    return new TenantPendingJobs({ redis, prefix, ...options });
  }

  it('admits jobs up to the cap and refuses the rest with a QuotaExceededError that says how to fix it', async () => {
    const tenant = `acme-${randomUUID()}`;
    const quota = pending({ maxPendingJobs: 5, retryAfterSeconds: 7 });
    await quota.reserve(tenant, ids(3));
    await quota.reserve(tenant, ids(2));
    const refused = await quota.reserve(tenant, ids(1)).then(
      () => assert.fail('a sixth job was admitted past a cap of 5'),
      (error: unknown) => error,
    );
    assert.ok(refused instanceof QuotaExceededError);
    assert.equal(refused.retryAfterSeconds, 7);
    assert.equal(refused.pending, 5);
    assert.equal(refused.limit, 5);
    assert.match(refused.message, new RegExp(`tenant "${tenant}" has 5 jobs not yet finished`));
    assert.match(refused.message, /TENANT_MAX_PENDING_JOBS/);
    assert.match(refused.message, /Retry after 7 s/);
    assert.equal(await quota.count(tenant), 5, 'a refused request counts nothing');
  });

  it('counts tenants apart, and removing a finished job makes room again', async () => {
    const quota = pending({ maxPendingJobs: 2 });
    const [first, second] = ids(2);
    await quota.reserve('tenant-a', [first, second]);
    await quota.reserve('tenant-b', ids(2));
    await assert.rejects(quota.reserve('tenant-a', ids(1)), QuotaExceededError);
    assert.equal(await quota.remove('tenant-a', first), 1);
    await quota.reserve('tenant-a', ids(1));
    assert.equal(await quota.count('tenant-a'), 2);
    assert.equal(await quota.count('tenant-b'), 2);
  });

  it('refuses a request larger than the cap itself, telling the client to send fewer at a time', async () => {
    const quota = pending({ maxPendingJobs: 3 });
    await assert.rejects(quota.reserve(`big-${randomUUID()}`, ids(4)), (error: unknown) => {
      assert.ok(error instanceof QuotaExceededError);
      assert.match(error.message, /a request of 4 jobs is more than .* may ever have pending/);
      assert.match(error.message, /send at most 3 jobs at a time/);
      return true;
    });
  });

  it('is exact across replicas: 40 concurrent batches from two connections never pass the cap', async () => {
    const tenant = `race-${randomUUID()}`;
    const replicas = [
      pending({ maxPendingJobs: 100 }),
      new TenantPendingJobs({ redis: otherReplica, prefix, maxPendingJobs: 100 }),
    ];
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, index) => replicas[index % 2].reserve(tenant, ids(7))),
    );
    const admitted = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') assert.ok(outcome.reason instanceof QuotaExceededError);
    }
    assert.equal(admitted, 14, 'exactly floor(100 / 7) batches fit');
    assert.equal(await replicas[0].count(tenant), 98);
  });

  it('drops members older than maxAgeMs whatever their state', async () => {
    const tenant = `aged-${randomUUID()}`;
    const quota = pending({
      maxPendingJobs: 1,
      maxAgeMs: 60_000,
      isFinished: async (jobIds) => jobIds.map(() => false),
    });
    const now = Date.now();
    await quota.reserve(tenant, ids(1), now - 61_000);
    assert.equal(await quota.count(tenant, now), 0);
    await quota.reserve(tenant, ids(1), now);
    assert.equal(await quota.count(tenant, now), 1);
  });

  describe('sweeping drift when a tenant is at its cap', () => {
    const lane = 'io';
    let queue: Queue;
    let workerConnection: Redis;

    before(() => {
      queue = new Queue(lane, { connection: redis, prefix });
      workerConnection = createRedis(REDIS_URL, 'worker');
    });

    after(async () => {
      await queue.close();
      workerConnection.disconnect();
    });

    /** What the api implements: a job is finished when BullMQ says completed or failed, or knows it no more. */
    const bullmqFinished: JobsFinished = (jobIds) =>
      Promise.all(
        jobIds.map(async (id) => ['completed', 'failed', 'unknown'].includes(await queue.getJobState(id))),
      );

    it('removes jobs a crashed consumer completed but never removed, then admits', async () => {
      const tenant = `crashy-${randomUUID()}`;
      const quota = pending({ maxPendingJobs: 3, isFinished: bullmqFinished, sweepGraceMs: 0 });
      const jobIds = ids(3);
      await quota.reserve(tenant, jobIds);
      await queue.addBulk(jobIds.map((jobId) => ({ name: 'io.sleep', data: {}, opts: { jobId } })));
      const worker = new Worker(lane, async () => 'done', { connection: workerConnection, prefix });
      try {
        await eventually(async () => (await queue.getCompletedCount()) === 3, 'the 3 jobs to complete');
      } finally {
        await worker.close();
      }
      assert.equal(await quota.count(tenant), 3, 'nothing removed them: the drift a crash leaves');
      await quota.reserve(tenant, ids(3));
      assert.equal(await quota.count(tenant), 3);
    });

    it('keeps jobs still waiting, and a fresh reservation whose job is not written yet', async () => {
      const tenant = `steady-${randomUUID()}`;
      const quota = pending({ maxPendingJobs: 2, isFinished: bullmqFinished, sweepIntervalMs: 1 });
      const [waiting, inFlight] = ids(2);
      const now = Date.now();
      await quota.reserve(tenant, [waiting], now - 120_000);
      await queue.add('io.sleep', {}, { jobId: waiting });
      await quota.reserve(tenant, [inFlight], now - 1_000);
      await assert.rejects(quota.reserve(tenant, ids(1), now), QuotaExceededError);
      assert.equal(await quota.count(tenant), 2);
      await delay(10);
      // A minute later the reservation without a job is a leftover of a failed enqueue: swept.
      await quota.reserve(tenant, ids(1), now + 60_000);
      assert.equal(await quota.count(tenant, now + 60_000), 2);
    });

    it('checks at most sweepBatchSize members per sweep and moves on past long-lived jobs', async () => {
      const tenant = `rotate-${randomUUID()}`;
      const longLived = new Set(ids(4));
      const asked: number[] = [];
      const quota = pending({
        maxPendingJobs: 6,
        sweepBatchSize: 2,
        sweepIntervalMs: 1,
        isFinished: async (jobIds) => {
          asked.push(jobIds.length);
          return jobIds.map((id) => !longLived.has(id));
        },
      });
      const now = Date.now();
      for (const [index, id] of [...longLived, ...ids(2)].entries()) {
        await quota.reserve(tenant, [id], now - 600_000 + index);
      }
      let attempts = 0;
      await eventually(async () => {
        attempts++;
        await delay(5);
        return quota.reserve(tenant, ids(2), now).then(
          () => true,
          (error: unknown) => {
            if (!(error instanceof QuotaExceededError)) throw error;
            return undefined;
          },
        );
      }, 'the sweep to reach the finished jobs behind the long-lived ones');
      assert.ok(attempts <= 3, `found them after ${attempts} sweeps of 2 (4 long-lived jobs ahead)`);
      assert.ok(
        asked.every((size) => size <= 2),
        `asked about ${asked.join(', ')} jobs per sweep`,
      );
      assert.equal(await quota.count(tenant), 6);
    });

    it('sweeps a tenant once per interval across replicas, however many requests are refused', async () => {
      const tenant = `flood-${randomUUID()}`;
      let sweeps = 0;
      const options = {
        maxPendingJobs: 1,
        sweepGraceMs: 0,
        sweepIntervalMs: 60_000,
        isFinished: async (jobIds: readonly string[]) => {
          sweeps++;
          return jobIds.map(() => false);
        },
      };
      const replicas = [pending(options), new TenantPendingJobs({ redis: otherReplica, prefix, ...options })];
      await replicas[0].reserve(tenant, ids(1));
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, index) => replicas[index % 2].reserve(tenant, ids(1))),
      );
      assert.ok(outcomes.every((outcome) => outcome.status === 'rejected'));
      assert.equal(sweeps, 1);
    });
  });
});
