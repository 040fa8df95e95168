/**
 * The raw-library baseline's producer: `Queue.addBulk` in a process of its own. Forked by the bench with
 * `<redisUrl> <prefix> <queue>`; each IPC message `{ jobs, batch, ms, keepCompleted }` adds that many
 * `{ ms }` jobs in batches, one batch at a time, and is answered `{ submitted }` once all are in Redis.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

interface SubmitOrder {
  jobs: number;
  batch: number;
  ms: number;
  /** Completed jobs BullMQ keeps (`removeOnComplete`), like Switchyard's COMPLETED_RETENTION_COUNT. */
  keepCompleted: number;
}

const [redisUrl, prefix, queueName] = process.argv.slice(2);
const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
const queue = new Queue(queueName, { connection, prefix });

process.on('message', (order: SubmitOrder) => {
  void (async () => {
    for (let start = 0; start < order.jobs; start += order.batch) {
      await queue.addBulk(
        Array.from({ length: Math.min(order.batch, order.jobs - start) }, () => ({
          name: 'io.sleep',
          data: { ms: order.ms },
          opts: { removeOnComplete: order.keepCompleted },
        })),
      );
    }
    process.send?.({ submitted: order.jobs });
  })();
});
void queue.waitUntilReady().then(() => process.send?.('ready'));
process.on('disconnect', () => {
  void queue.close().finally(() => process.exit(0));
});
