import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { JobData, JobResultEnvelope } from '@switchyard/contracts';
import {
  createRedis,
  JobNotFoundError,
  JobReader,
  JobWatcher,
  LaneEvents,
  LaneQueues,
  SwitchyardKeys,
  TooManyJobWatchesError,
  type JobEvent,
  type JobFollow,
  laneQueuePrefix,
} from '@switchyard/queue';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { deletePrefix } from '../../helpers/redis-cleanup';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LANE = 'io';

const data = (tenant = 'tenant-a'): JobData => ({
  task: 'io.sleep',
  tenant,
  payload: { ms: 1 },
  routing: { profile: 'io', lane: LANE, reason: 'task-default' },
  timeoutMs: 10_000,
});

/**
 * Following jobs through the lanes' shared event readers against a real Redis and a real BullMQ worker:
 * every follow ends (by its job's end or its client), and none leaves a watcher or a listener behind.
 */
describe('JobWatcher over one shared QueueEvents per lane', () => {
  const prefix = `test-${randomUUID()}`;
  let client: Redis;
  let queues: LaneQueues;
  let events: LaneEvents;
  let watcher: JobWatcher;
  let worker: Worker<JobData, JobResultEnvelope> | undefined;
  let workerConnection: Redis | undefined;

  const add = async (tenant?: string, delay?: number) => {
    const id = randomUUID();
    await queues.get(LANE).add('io.sleep', data(tenant), { jobId: id, delay });
    return id;
  };

  /** Runs the lane's jobs: three progress steps, then a result. */
  const startWorker = () => {
    workerConnection = createRedis(REDIS_URL, 'worker');
    worker = new Worker<JobData, JobResultEnvelope>(
      LANE,
      async (job) => {
        for (const percent of [25, 50, 75]) await job.updateProgress({ percent });
        const startedAt = Date.now();
        return {
          result: { sleptMs: 1 },
          execution: {
            model: 'event-loop',
            lane: LANE,
            host: 'test',
            pid: process.pid,
            threadId: 0,
            startedAt,
          },
        };
      },
      { connection: workerConnection, prefix: laneQueuePrefix(prefix, LANE), concurrency: 20 },
    );
  };

  before(async () => {
    client = createRedis(REDIS_URL, 'client');
    queues = new LaneQueues({ connection: client, prefix, lanes: [LANE] });
    const reader = new JobReader(queues, client, new SwitchyardKeys(prefix));
    events = new LaneEvents({ redisUrl: REDIS_URL, prefix, lanes: [LANE] });
    // A long recheck: what ends a follow here is an event, not a re-read.
    watcher = new JobWatcher(reader, events, { maxWatches: 200, recheckMs: 600_000 });
    // The reader hears events only once its first XREAD is issued: wait until it heard one.
    const probe = randomUUID();
    const heard = new Promise<void>((resolve) => {
      const stop = events.watch(probe, () => {
        stop();
        resolve();
      });
    });
    for (let tries = 0; tries < 50; tries++) {
      await queues.get(LANE).add('probe', data(), { jobId: `${probe}`, removeOnComplete: true });
      const done = await Promise.race([
        heard.then(() => true),
        new Promise((r) => setTimeout(r, 100, false)),
      ]);
      if (done) break;
      await queues.get(LANE).remove(probe);
    }
    await queues.get(LANE).remove(probe);
  });

  after(async () => {
    await worker?.close();
    workerConnection?.disconnect();
    await events.close();
    await queues.close();
    await deletePrefix(REDIS_URL, prefix);
    client.disconnect();
  });

  it('200 follows of 20 jobs: each ends with its job or its client, leaving no watcher or listener', async () => {
    const listeners = events.emitterListeners;
    const ids = await Promise.all(Array.from({ length: 20 }, () => add()));
    const received = new Map<JobFollow, JobEvent[]>();
    const follows: JobFollow[] = [];
    for (const id of ids) {
      for (let copy = 0; copy < 10; copy++) {
        const got: JobEvent[] = [];
        const follow = await watcher.follow(id, { tenant: 'tenant-a' }, (event) => got.push(event));
        received.set(follow, got);
        follows.push(follow);
      }
    }
    assert.equal(watcher.openWatches, 200);
    assert.equal(events.watchedJobs, 20);
    assert.equal(events.emitterListeners, listeners, 'follows add no listener to the emitters');
    // Clients that leave before the end: every other follow.
    const left = follows.filter((_, index) => index % 2 === 1);
    for (const follow of left) follow.close();
    startWorker();
    await Promise.all(follows.map((follow) => follow.closed));

    for (const follow of follows.filter((_, index) => index % 2 === 0)) {
      const kinds = (received.get(follow) ?? []).map((event) => event.kind);
      assert.equal(kinds[0], 'state', kinds.join(','));
      assert.equal(kinds.at(-1), 'completed', kinds.join(','));
      const final = received.get(follow)?.at(-1)?.view;
      assert.deepEqual(final?.result, { sleptMs: 1 });
    }
    assert.equal(watcher.openWatches, 0);
    assert.equal(events.watchedJobs, 0, 'a watcher left behind');
    assert.equal(events.emitterListeners, listeners);
  });

  it('another tenant, an unknown id and the cap: refused, and no place is kept for them', async () => {
    const id = await add('tenant-a', 600_000); // stays delayed: its follows end only by their clients
    await assert.rejects(
      watcher.follow(id, { tenant: 'tenant-b' }, () => {}),
      JobNotFoundError,
    );
    await assert.rejects(
      watcher.follow(randomUUID(), {}, () => {}),
      JobNotFoundError,
    );
    assert.equal(watcher.openWatches, 0);
    assert.equal(events.watchedJobs, 0);

    const small = new JobWatcher(new JobReader(queues, client, new SwitchyardKeys(prefix)), events, {
      maxWatches: 2,
    });
    const open = [await small.follow(id, {}, () => {}), await small.follow(id, {}, () => {})];
    await assert.rejects(
      small.follow(id, {}, () => {}),
      TooManyJobWatchesError,
    );
    open[0].close();
    open[0].close(); // twice: still one place back
    const third = await small.follow(id, {}, () => {});
    await assert.rejects(
      small.follow(id, {}, () => {}),
      TooManyJobWatchesError,
    );
    for (const follow of [open[1], third]) follow.close();
    assert.equal(small.openWatches, 0);
  });

  it('viewWhenFinished answers at the job end, or at the end of the wait with the job as it is', async () => {
    await worker?.pause();
    const id = await add();
    const waited = await watcher.viewWhenFinished(id, {}, 300);
    assert.equal(waited.state, 'waiting');
    const ending = watcher.viewWhenFinished(id, {}, 20_000);
    worker?.resume();
    const ended = await ending;
    assert.equal(ended.state, 'completed');
    assert.deepEqual(ended.result, { sleptMs: 1 });
    assert.equal(watcher.openWatches, 0);
    assert.equal(events.watchedJobs, 0);
  });

  it('reads the lanes only while someone watches: stops when idle, starts again, and hears the job end', async () => {
    const lazy = new LaneEvents({ redisUrl: REDIS_URL, prefix, lanes: [LANE], idleCloseMs: 100 });
    const lazyWatcher = new JobWatcher(new JobReader(queues, client, new SwitchyardKeys(prefix)), lazy, {
      maxWatches: 10,
      recheckMs: 600_000,
    });
    try {
      assert.equal(lazy.reading, false, 'no reader before the first watcher');
      await worker?.pause();
      const first = await lazyWatcher.follow(await add(), {}, () => {});
      assert.equal(lazy.reading, true);
      first.close();
      assert.equal(lazy.reading, true, 'kept for idleCloseMs after the last watcher');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(lazy.reading, false, 'stopped once idle');
      // Started again by the next follow, which then hears its job end (the recheck is 10 min away).
      const id = await add();
      const ending = lazyWatcher.viewWhenFinished(id, {}, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      worker?.resume();
      const ended = await ending;
      assert.equal(ended.state, 'completed');
      assert.equal(lazyWatcher.openWatches, 0);
    } finally {
      worker?.resume();
      await lazy.close();
    }
  });
});
