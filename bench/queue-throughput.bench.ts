import { randomUUID } from 'node:crypto';
import { loadConfig } from '@switchyard/config';
import { LaneWorker } from '@switchyard/consumer';
import { createExecutor } from '@switchyard/execution';
import {
  createRedis,
  JobProducer,
  JobSubmissionValidator,
  LaneQueues,
  LaneRouter,
  SwitchyardKeys,
} from '@switchyard/queue';
import { createTaskCatalog } from '@switchyard/tasks';
import { Queue, Worker } from 'bullmq';
import { deletePrefix } from '../test/helpers/redis-cleanup';
import { measure, type Measurement } from './bench-support';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const BATCH = 500;

/** Resolves once `count` jobs completed on `worker`. */
function completions(
  worker: { on(event: 'completed', listener: () => void): unknown },
  count: number,
): Promise<void> {
  return new Promise((resolve) => {
    let done = 0;
    worker.on('completed', () => {
      if (++done === count) resolve();
    });
  });
}

async function rawBullmq(jobs: number, concurrency: number): Promise<void> {
  const prefix = `bench-${randomUUID()}`;
  const connection = createRedis(REDIS_URL, 'worker');
  const queue = new Queue('io', { connection, prefix });
  const worker = new Worker('io', async () => ({ sleptMs: 0 }), {
    connection,
    prefix,
    concurrency,
    autorun: false,
  });
  try {
    const finished = completions(worker, jobs);
    void worker.run();
    for (let start = 0; start < jobs; start += BATCH) {
      await queue.addBulk(
        Array.from({ length: Math.min(BATCH, jobs - start) }, () => ({
          name: 'io.sleep',
          data: { ms: 0 },
          opts: { removeOnComplete: true },
        })),
      );
    }
    await finished;
  } finally {
    await worker.close();
    await queue.close();
    await deletePrefix(REDIS_URL, prefix);
    connection.disconnect();
  }
}

/** Enqueues `jobs` through JobProducer and runs them on a LaneWorker in this process. */
async function switchyardRun(
  jobs: number,
  concurrency: number,
  task: { task: string; payload: unknown },
): Promise<void> {
  const prefix = `bench-${randomUUID()}`;
  const config = loadConfig({
    QUEUE_PREFIX: prefix,
    REDIS_URL,
    COMPLETED_RETENTION_COUNT: '0',
    DIAGNOSTIC_TASKS: 'true',
  });
  const catalogOptions = { httpAllowedHosts: [], diagnosticTasks: true };
  const client = createRedis(REDIS_URL, 'client');
  const connection = createRedis(REDIS_URL, 'worker');
  const keys = new SwitchyardKeys(prefix);
  const queues = new LaneQueues({ connection: client, prefix, lanes: config.LANES });
  const producer = new JobProducer({
    queues,
    redis: client,
    keys,
    validator: new JobSubmissionValidator(createTaskCatalog(catalogOptions), new LaneRouter(config), config),
  });
  const executor = createExecutor('event-loop', { poolSize: 1, catalog: catalogOptions });
  let done = 0;
  let resolveAll: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (resolveAll = resolve));
  const observer = {
    attemptSettled: () => {
      if (++done === jobs) resolveAll();
    },
  };
  const worker = new LaneWorker({ lane: 'io', prefix, connection, keys, executor, concurrency, observer });
  try {
    await worker.start();
    for (let start = 0; start < jobs; start += BATCH) {
      await producer.enqueueBatch(
        Array.from({ length: Math.min(BATCH, jobs - start) }, () => ({ ...task, lane: 'io' })),
        { tenant: 'bench', mayOverrideProfile: true },
      );
    }
    await finished;
  } finally {
    await worker.close(1_000);
    await executor.close();
    await queues.close();
    await deletePrefix(REDIS_URL, prefix);
    client.disconnect();
    connection.disconnect();
  }
}

/** Enqueue N no-op jobs and run them on one event loop: the raw library, then Switchyard's path. */
export async function queueThroughput(
  jobs: number,
  repeat: number,
  concurrency = 100,
): Promise<Measurement[]> {
  return [
    {
      subject: `raw BullMQ Queue.addBulk + Worker (no-op, concurrency ${concurrency})`,
      runs: await measure(jobs, repeat, () => rawBullmq(jobs, concurrency)),
    },
    {
      subject: `Switchyard JobProducer + LaneWorker (io.sleep 0 ms, event-loop)`,
      runs: await measure(jobs, repeat, () =>
        switchyardRun(jobs, concurrency, { task: 'io.sleep', payload: { ms: 0 } }),
      ),
    },
  ];
}
