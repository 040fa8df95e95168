/**
 * The raw-library baseline's consumer: a BullMQ Worker in a process of its own, with nothing of
 * Switchyard around it. `node bullmq-worker.js <redisUrl> <prefix> <queue> <concurrency>`, forked by the
 * bench (it says `ready` over IPC once consuming); a job `{ ms }` sleeps that long, 0 is a no-op.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

const [redisUrl, prefix, queue, concurrency] = process.argv.slice(2);
const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
const worker = new Worker(
  queue,
  async (job: { data: { ms?: number } }) => {
    if (job.data.ms) await delay(job.data.ms);
    return { sleptMs: job.data.ms ?? 0 };
  },
  { connection, prefix, concurrency: Number(concurrency) },
);
worker.on('error', (error) => console.error(`raw worker: ${error.message}`));

void worker.waitUntilReady().then(() => process.send?.('ready'));
process.on('disconnect', () => {
  void worker.close(true).finally(() => process.exit(0));
});
