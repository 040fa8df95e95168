import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { loadConfig, type SwitchyardConfig } from '@switchyard/config';
import type { JobProgress } from '@switchyard/contracts';
import { LaneWorker } from '@switchyard/consumer';
import { createExecutor } from '@switchyard/execution';
import {
  createRedis,
  JobCanceller,
  JobProducer,
  JobReader,
  JobSubmissionValidator,
  LaneQueues,
  LaneRouter,
  SwitchyardKeys,
  laneQueuePrefix,
} from '@switchyard/queue';
import { createTaskCatalog } from '@switchyard/tasks';
import { QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { eventually } from '../../helpers/e2e-stack';
import { deletePrefix } from '../../helpers/redis-cleanup';

const TEST_SUBMITTER = { tenant: 'test', mayOverrideProfile: false };

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The queue layer and the consumer's lane worker in one process against the real Redis. */
describe('lane worker and producer against a real Redis', () => {
  const prefix = `test-${randomUUID()}`;
  let config: SwitchyardConfig;
  let client: Redis;
  let workerConnection: Redis;
  let queues: LaneQueues;
  let producer: JobProducer;
  let reader: JobReader;
  const keys = new SwitchyardKeys(prefix);
  const catalog = createTaskCatalog({ httpAllowedHosts: [], diagnosticTasks: true });

  before(() => {
    config = loadConfig({
      QUEUE_PREFIX: prefix,
      REDIS_URL,
      COMPLETED_RETENTION_COUNT: '3',
      // diag.crash (a cpu task) runs on this file's io lane worker.
      ALLOW_PROFILE_OVERRIDE: 'true',
    });
    client = createRedis(REDIS_URL, 'client');
    workerConnection = createRedis(REDIS_URL, 'worker');
    queues = new LaneQueues({ connection: client, prefix, lanes: config.LANES });
    const validator = new JobSubmissionValidator(catalog, new LaneRouter(config), config);
    producer = new JobProducer({ queues, redis: client, keys, validator });
    reader = new JobReader(queues, client, keys);
  });

  after(async () => {
    await queues.close();
    await deletePrefix(REDIS_URL, prefix);
    client.disconnect();
    workerConnection.disconnect();
  });

  function laneWorker(concurrency = 10, errorMaxChars?: number) {
    const executor = createExecutor('event-loop', {
      poolSize: 1,
      catalog: { httpAllowedHosts: [], diagnosticTasks: true },
    });
    const worker = new LaneWorker({
      lane: 'io',
      prefix,
      connection: workerConnection,
      keys,
      executor,
      concurrency,
      errorMaxChars,
    });
    return { worker, executor };
  }

  it('runs a job on this event loop and stores its result with where it ran', async () => {
    const { worker, executor } = laneWorker();
    await worker.start();
    try {
      const job = await producer.enqueue({ task: 'io.sleep', payload: { ms: 5 } }, TEST_SUBMITTER);
      const view = await eventually(async () => {
        const current = await reader.view(job.id);
        return current.state === 'completed' ? current : undefined;
      }, 'the job to complete');
      assert.deepEqual(view.result, { sleptMs: 5 });
      assert.equal(view.execution?.model, 'event-loop');
      assert.equal(view.execution?.pid, process.pid);
      assert.equal(view.execution?.threadId, 0);
      assert.equal(view.progress, 100);
    } finally {
      await worker.close(1_000);
      await executor.close();
    }
  });

  it("writes a running job's progress at most once per interval, and none for a job that ends within one", async () => {
    const eventsConnection = workerConnection.duplicate();
    const events = new QueueEvents('io', {
      connection: eventsConnection,
      prefix: laneQueuePrefix(prefix, 'io'),
    });
    const { worker, executor } = laneWorker();
    const progress = new Map<string, number[]>();
    const completed = new Set<string>();
    events.on('progress', ({ jobId, data }) => {
      progress.set(jobId, [...(progress.get(jobId) ?? []), (data as JobProgress).percent]);
    });
    events.on('completed', ({ jobId }) => completed.add(jobId));
    await events.waitUntilReady();
    await worker.start();
    // A job's progress events come before its completion in the stream: once that is heard, all are.
    const completion = (jobId: string) =>
      eventually(async () => completed.has(jobId) || undefined, `job ${jobId} to complete`);
    try {
      // Reports every 20 ms for 700 ms, holding the event loop: the writes must get out all the same.
      const long = await producer.enqueue(
        { task: 'diag.spin', payload: { ms: 700 }, lane: 'io' },
        TEST_SUBMITTER,
      );
      await completion(long.id);
      const written = progress.get(long.id) ?? [];
      assert.ok(written.length >= 1 && written.length <= 3, `${written.length} writes in 700 ms`);
      assert.ok(
        written.every((percent) => percent > 0),
        String(written),
      );

      const short = await producer.enqueue({ task: 'io.sleep', payload: { ms: 1 } }, TEST_SUBMITTER);
      await completion(short.id);
      assert.equal(progress.has(short.id), false, 'a job done within an interval writes no progress');
      assert.equal((await reader.view(short.id)).progress, 100, 'its view says 100 % all the same');
    } finally {
      await worker.close(1_000);
      await executor.close();
      await events.close();
      eventsConnection.disconnect();
    }
  });

  it('keeps only COMPLETED_RETENTION_COUNT completed jobs', async () => {
    const { worker, executor } = laneWorker();
    await worker.start();
    try {
      const jobs = [];
      for (let index = 0; index < 6; index++) {
        const job = await producer.enqueue({ task: 'io.sleep', payload: { ms: 0 } }, TEST_SUBMITTER);
        jobs.push(job);
        await eventually(
          async () => ((await reader.view(job.id)).state === 'completed' ? true : undefined),
          'completion',
        );
      }
      const counts = (await reader.laneStats()).find((lane) => lane.lane === 'io');
      assert.equal(counts?.completed, 3);
      await assert.rejects(reader.view(jobs[0].id), /no job has id/);
      assert.equal((await reader.view(jobs[5].id)).state, 'completed');
    } finally {
      await worker.close(1_000);
      await executor.close();
    }
  });

  it('at shutdown puts a job still running after the drain timeout back in the queue: nothing is lost', async () => {
    const first = laneWorker();
    await first.worker.start();
    const job = await producer.enqueue({ task: 'io.sleep', payload: { ms: 30_000 } }, TEST_SUBMITTER);
    await eventually(
      async () => ((await reader.view(job.id)).state === 'active' ? true : undefined),
      'the job to start',
    );
    await first.worker.close(100);
    await first.executor.close();
    const requeued = await reader.view(job.id);
    assert.equal(requeued.state, 'waiting', 'back in the queue, not failed');
    assert.equal(requeued.attempts.made, 0, 'the interrupted run does not count as a failed attempt');
    await reader.find(job.id).then((found) => found?.remove());
  });

  it("stores a failed attempt's reason and stack cut to errorMaxChars: a 1 MiB message cannot fill Redis", async () => {
    const { worker, executor } = laneWorker(10, 300);
    await worker.start();
    try {
      const job = await producer.enqueue(
        {
          task: 'diag.crash',
          payload: { mode: 'throw', messageChars: 1 << 20 },
          lane: 'io',
        },
        TEST_SUBMITTER,
      );
      const view = await eventually(async () => {
        const current = await reader.view(job.id);
        return current.state === 'failed' ? current : undefined;
      }, 'the job to fail');
      assert.equal(view.error?.name, 'DiagnosticCrashError', 'the name survives the cut');
      assert.match(
        view.error?.message ?? '',
        /^diag\.crash failed on purpose \(mode throw\)\.+ … \[1048598 characters, cut to 300\]$/,
      );
      const stored = await reader.find(job.id);
      assert.ok(stored, 'the failed job is kept');
      assert.ok(
        stored.failedReason.length <= 300,
        `failedReason has ${stored.failedReason.length} characters`,
      );
      const [stack, ...more] = stored.stacktrace ?? [];
      assert.equal(more.length, 0, 'one attempt, one stack');
      assert.ok(stack && stack.length <= 300, `the stack has ${stack?.length} characters`);
      const bytes = Number(await client.call('MEMORY', 'USAGE', queues.get('io').toKey(job.id ?? '')));
      assert.ok(bytes > 0 && bytes < 16_384, `the failed job takes ${bytes} bytes in Redis`);
    } finally {
      await worker.close(1_000);
      await executor.close();
    }
  });
  it('keeps where a failed, a timed-out and a cancelled io job ran, and for how long, in its view', async () => {
    const { worker, executor } = laneWorker();
    const canceller = new JobCanceller(client, keys, reader, { retentionSeconds: 60 });
    await worker.start();
    try {
      const submit = (request: object) => producer.enqueue(request, TEST_SUBMITTER);
      const failed = await submit({ task: 'diag.crash', payload: { mode: 'throw' }, lane: 'io' });
      const timedOut = await submit({ task: 'io.sleep', payload: { ms: 10_000 }, timeoutMs: 200 });
      const cancelled = await submit({ task: 'io.sleep', payload: { ms: 30_000 } });
      await eventually(async () => (await reader.view(cancelled.id)).state === 'active', 'the job to run');
      await canceller.cancel(cancelled.id);
      for (const [job, state, errorName] of [
        [failed, 'failed', 'DiagnosticCrashError'],
        [timedOut, 'failed', 'JobTimeoutError'],
        [cancelled, 'cancelled', 'JobCancelledError'],
      ] as const) {
        const view = await eventually(async () => {
          const current = await reader.view(job.id);
          return current.state === state ? current : undefined;
        }, `job ${job.id} to end ${state}`);
        assert.equal(view.error?.name, errorName);
        const execution = view.execution;
        assert.ok(execution, `${errorName}: the view says where the job ran`);
        assert.equal(execution.model, 'event-loop');
        assert.equal(execution.lane, 'io');
        assert.equal(execution.pid, process.pid);
        assert.equal(execution.threadId, 0);
        assert.ok(execution.finishedAt && execution.finishedAt >= execution.startedAt);
        assert.equal(view.runMs, execution.runMs);
        if (errorName === 'JobTimeoutError') {
          // Timers and Date.now() each round to the millisecond: a 200 ms timer may measure 199.
          assert.ok((execution.runMs ?? 0) >= 198, `ran until its timeout: ${execution.runMs} ms`);
        }
      }
    } finally {
      await worker.close(1_000);
      await executor.close();
    }
  });
});
