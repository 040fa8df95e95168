import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '@switchyard/config';
import {
  createRedis,
  InvalidJobRequestError,
  JobProducer,
  JobSubmissionValidator,
  LaneQueues,
  LaneRouter,
  SwitchyardKeys,
} from '@switchyard/queue';
import { createTaskCatalog } from '@switchyard/tasks';
import type { Redis } from 'ioredis';
import { deletePrefix } from '../../helpers/redis-cleanup';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SUBMITTER = { tenant: 'test', mayOverrideProfile: false };

/** Batches across lanes against a real Redis: written together, or not at all. */
describe('batches are all-or-nothing across lanes', () => {
  const prefix = `test-${randomUUID()}`;
  let client: Redis;
  let queues: LaneQueues;
  let producer: JobProducer;

  before(() => {
    const config = loadConfig({ QUEUE_PREFIX: prefix, REDIS_URL });
    client = createRedis(REDIS_URL, 'client');
    queues = new LaneQueues({ connection: client, prefix, lanes: config.LANES });
    const catalog = createTaskCatalog({ httpAllowedHosts: [], diagnosticTasks: false });
    const validator = new JobSubmissionValidator(catalog, new LaneRouter(config), config);
    producer = new JobProducer({ queues, redis: client, keys: new SwitchyardKeys(prefix), validator });
  });

  after(async () => {
    await queues.close();
    await deletePrefix(REDIS_URL, prefix);
    client.disconnect();
  });

  const waiting = async (lane: string) => (await queues.get(lane).getJobCounts('wait')).wait ?? 0;
  const batch = [
    { task: 'io.sleep', payload: { ms: 1 } },
    { task: 'cpu.primes', payload: { limit: 10 } },
    { task: 'io.sleep', payload: { ms: 2 } },
  ];

  it('writes a batch over two lanes in one transaction', async () => {
    const jobs = await producer.enqueueBatch(batch, SUBMITTER);
    assert.deepEqual(
      jobs.map((job) => job.data.routing.lane),
      ['io', 'cpu', 'io'],
    );
    assert.equal(await waiting('io'), 2);
    assert.equal(await waiting('cpu'), 1);
    for (const job of jobs) assert.ok(await queues.get(job.data.routing.lane).getJob(job.id));
    await Promise.all(['io', 'cpu'].map((lane) => queues.get(lane).drain()));
  });

  it('leaves nothing behind when one lane fails at Redis inside the transaction', async () => {
    // The cpu lane's wait list is broken on purpose: its insert fails inside EXEC with WRONGTYPE,
    // after the io lane's inserts already ran; those must be taken back out.
    const waitKey = queues.get('cpu').toKey('wait');
    await client.set(waitKey, 'not a list');
    try {
      await assert.rejects(producer.enqueueBatch(batch, SUBMITTER), /WRONGTYPE/);
      assert.equal(await waiting('io'), 0, 'the io jobs of the failed batch were removed');
      const ioJobs = await queues.get('io').getJobs(['wait', 'prioritized', 'delayed', 'active']);
      assert.deepEqual(ioJobs, []);
    } finally {
      await client.del(waitKey);
    }
  });

  it('writes nothing for a batch with one invalid item', async () => {
    await assert.rejects(
      producer.enqueueBatch([...batch, { task: 'cpu.primes', payload: { limit: -1 } }], SUBMITTER),
      (error) => error instanceof InvalidJobRequestError && error.errors[0]?.index === 3,
    );
    assert.equal(await waiting('io'), 0);
    assert.equal(await waiting('cpu'), 0);
  });

  it("honours Idempotency-Key on batches, whatever the order of each job's fields", async () => {
    const first = await producer.enqueueBatch(batch, SUBMITTER, 'batch-key-1');
    const reordered = batch.map(({ task, payload }) => ({ payload, task }));
    const again = await producer.enqueueBatch(reordered, SUBMITTER, 'batch-key-1');
    assert.deepEqual(
      again.map((job) => job.id),
      first.map((job) => job.id),
    );
    assert.ok(again.every((job) => job.replayed));
    assert.equal(await waiting('io'), 2, 'nothing enqueued twice');
    await assert.rejects(
      producer.enqueueBatch(batch.slice(1), SUBMITTER, 'batch-key-1'),
      /already used for a different request/,
    );
    const otherTenant = await producer.enqueueBatch(batch, { ...SUBMITTER, tenant: 'other' }, 'batch-key-1');
    assert.notEqual(otherTenant[0].id, first[0].id, "another tenant's key space");
    await Promise.all(['io', 'cpu'].map((lane) => queues.get(lane).drain()));
  });
});
