import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '@switchyard/config';
import { startRedisCluster, type RedisClusterHandle } from '@switchyard/local-stack';
import {
  closeRedis,
  createRedis,
  JobIndex,
  JobProducer,
  JobSubmissionValidator,
  LaneQueues,
  LaneRouter,
  RetentionSweeper,
  SwitchyardKeys,
  TaskCpuProfiles,
  type RedisConnection,
} from '@switchyard/queue';
import { LaneDepthGuard, TenantPendingJobs } from '@switchyard/quotas';
import { createTaskCatalog } from '@switchyard/tasks';

const PREFIX = 'sy-libs';
const SUBMITTER = { tenant: 'acme', mayOverrideProfile: false };

/**
 * Switchyard's libraries on a real 3-master Redis Cluster: every multi-key command and transaction
 * they send stays within one hash slot (ioredis refuses one that does not, and Redis answers
 * CROSSSLOT), and a batch across lanes is written lane by lane, taken back whole when a lane fails.
 */
describe('the queue and quota libraries on a real Redis Cluster', () => {
  let cluster: RedisClusterHandle;
  let redis: RedisConnection;
  let queues: LaneQueues;
  let index: JobIndex;
  let producer: JobProducer;

  before(async () => {
    cluster = await startRedisCluster();
    const config = loadConfig({ QUEUE_PREFIX: PREFIX, REDIS_URL: cluster.seeds, REDIS_MODE: 'cluster' });
    redis = createRedis(config.REDIS_URL, 'client', 'cluster-libs-test', config.REDIS_MODE);
    queues = new LaneQueues({ connection: redis, prefix: PREFIX, lanes: config.LANES });
    index = new JobIndex({ redis, prefix: PREFIX });
    const catalog = createTaskCatalog({ httpAllowedHosts: [], diagnosticTasks: false });
    const validator = new JobSubmissionValidator(catalog, new LaneRouter(config), config);
    producer = new JobProducer({ queues, redis, keys: new SwitchyardKeys(PREFIX), validator, index });
  });
  after(async () => {
    await queues?.close();
    if (redis) await closeRedis(redis, 1_000);
    await cluster?.stop();
  });

  const waiting = async (lane: string) => (await queues.get(lane).getJobCounts('wait')).wait ?? 0;
  const batch = [
    { task: 'io.sleep', payload: { ms: 1 } },
    { task: 'cpu.primes', payload: { limit: 10 } },
    { task: 'io.sleep', payload: { ms: 2 } },
  ];

  it('writes a batch over two lanes and lists it in the job index', async () => {
    const jobs = await producer.enqueueBatch(batch, SUBMITTER);
    assert.equal(await waiting('io'), 2);
    assert.equal(await waiting('cpu'), 1);
    const page = await index.page({ tenant: 'acme' }, undefined, 10);
    assert.deepEqual(new Set(page.jobs.map((job) => job.jobId)), new Set(jobs.map((job) => job.id)));
    const single = await producer.enqueue({ task: 'io.sleep', payload: { ms: 3 } }, SUBMITTER);
    assert.equal(
      (await index.page({ tenant: 'acme', task: 'io.sleep' }, undefined, 1)).jobs[0].jobId,
      single.id,
    );
    await Promise.all(['io', 'cpu'].map((lane) => queues.get(lane).drain()));
  });

  it('takes the other lanes’ jobs back when one lane fails inside its transaction', async () => {
    const waitKey = queues.get('cpu').toKey('wait');
    await redis.set(waitKey, 'not a list');
    try {
      await assert.rejects(producer.enqueueBatch(batch, SUBMITTER), /WRONGTYPE/);
      assert.equal(await waiting('io'), 0, 'the io jobs of the failed batch were removed');
      assert.deepEqual(await queues.get('io').getJobs(['wait', 'prioritized', 'delayed', 'active']), []);
    } finally {
      await redis.del(waitKey);
    }
  });

  it('replays an Idempotency-Key', async () => {
    const first = await producer.enqueueBatch(batch, SUBMITTER, 'libs-key');
    const again = await producer.enqueueBatch(batch, SUBMITTER, 'libs-key');
    assert.deepEqual(
      again.map((job) => job.id),
      first.map((job) => job.id),
    );
    assert.ok(again.every((job) => job.replayed));
    await Promise.all(['io', 'cpu'].map((lane) => queues.get(lane).drain()));
  });

  it("reads a lane's depth and counts, sweeps retention, keeps tenants' pending jobs and CPU ratios", async () => {
    await queues.get('io').add('io.sleep', {} as never, { delay: 60_000 });
    const guard = new LaneDepthGuard({
      redis,
      laneKey: (lane, type) => queues.get(lane).toKey(type),
      maxDepth: 10,
      cacheMs: 0,
    });
    assert.equal(await guard.depth('io'), 1);
    const counts = await queues.counts();
    assert.deepEqual(
      counts.map(({ lane, delayed, cancelled }) => ({ lane, delayed, cancelled })),
      [
        { lane: 'io', delayed: 1, cancelled: 0 },
        { lane: 'cpu', delayed: 0, cancelled: 0 },
      ],
    );
    await new RetentionSweeper({ queues, completedSeconds: 0, failedSeconds: 0 }).sweep();

    const pending = new TenantPendingJobs({
      redis,
      prefix: PREFIX,
      maxPendingJobs: 2,
      isFinished: async (ids) => ids.map(() => true),
      sweepGraceMs: 0,
    });
    await pending.reserve('acme', ['a', 'b']);
    assert.equal(await pending.count('acme'), 2);
    // At its cap the reservation sweeps (a lock and an offset beside the tenant's set) and finds room.
    await pending.reserve('acme', ['c']);
    assert.equal(await pending.count('acme'), 1);

    const profiles = new TaskCpuProfiles({ redis, prefix: PREFIX });
    await profiles.record([{ task: 'cpu.primes', cpuMs: 90, runMs: 100, count: 1 }]);
    assert.equal((await profiles.read()).get('cpu.primes')?.samples, 1);
  });
});
