import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRedis, JobIndex, type JobIndexEntry, type JobIndexQuery } from '@switchyard/queue';
import type { Redis } from 'ioredis';
import { deletePrefix } from '../../helpers/redis-cleanup';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const JOBS = 100_000;
const READS = 200;
const TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];
const TASKS = ['io.sleep', 'io.http', 'cpu.primes', 'cpu.hash', 'cpu.matmul', 'cpu.mandelbrot', 'nope.rare'];

/**
 * Issue 8 aims at `GET /v1/jobs?task=…` p99 ≤ 50 ms with 100,000 jobs retained. This measures the
 * index's share (a page of ids); the figure is printed, and only a generous bound asserted because
 * the machine is shared.
 */
describe('JobIndex page reads with 100,000 jobs retained', () => {
  const prefix = `test-${randomUUID()}`;
  let redis: Redis;
  let index: JobIndex;
  let fillMs = 0;

  before(async () => {
    redis = createRedis(REDIS_URL, 'client');
    index = new JobIndex({ redis, prefix });
    const start = Date.now() - JOBS;
    const fillStarted = performance.now();
    const writes = [];
    for (let batch = 0; batch < JOBS / 1_000; batch++) {
      const entries: JobIndexEntry[] = Array.from({ length: 1_000 }, (_, position) => {
        const n = batch * 1_000 + position;
        // One job in 5,000 is of a rare task: the filter that scanned a whole lane before the index.
        const task = n % 5_000 === 0 ? 'nope.rare' : TASKS[n % (TASKS.length - 1)];
        return {
          jobId: randomUUID(),
          lane: task.startsWith('cpu') ? 'cpu' : 'io',
          tenant: TENANTS[n % TENANTS.length],
          task,
          createdAt: start + n,
        };
      });
      const multi = redis.multi();
      index.add(multi, entries);
      writes.push(multi.exec());
    }
    await Promise.all(writes);
    fillMs = performance.now() - fillStarted;
  });

  after(async () => {
    await deletePrefix(REDIS_URL, prefix);
    redis.disconnect();
  });

  it('reads 200 pages of 50 (first and later pages, every kind of filter) and reports p99', async () => {
    assert.equal(await redis.zcard(`${prefix}:_switchyard:{job-index}:all`), JOBS);
    const queries: JobIndexQuery[] = [
      {},
      { task: 'io.sleep' },
      { tenant: 'acme' },
      { tenant: 'globex', task: 'cpu.hash' },
      { task: 'nope.rare' },
    ];
    const cursors = new Map<JobIndexQuery, string | undefined>();
    const timings: number[] = [];
    for (let read = 0; read < READS; read++) {
      const query = queries[read % queries.length];
      const started = performance.now();
      const page = await index.page(query, cursors.get(query), 50);
      timings.push(performance.now() - started);
      cursors.set(query, page.nextCursor);
      assert.ok(page.jobs.length > 0 || query.task === 'nope.rare');
    }
    timings.sort((a, b) => a - b);
    const p50 = timings[Math.floor(READS * 0.5)];
    const p99 = timings[Math.ceil(READS * 0.99) - 1];
    const bytes = await indexBytes(redis, prefix);
    console.log(
      `job index: ${JOBS} jobs, ${READS} page reads of 50: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms ` +
        `(aim: p99 ≤ 50 ms for the whole request); index memory ${(bytes / 1_048_576).toFixed(1)} MiB (four lists per job); ` +
        `filled in ${fillMs.toFixed(0)} ms by ${JOBS / 1_000} EVALSHAs of 1,000 jobs`,
    );
    assert.ok(p99 < 500, `p99 ${p99.toFixed(1)} ms is far past the 50 ms aim`);
  });
});

async function indexBytes(redis: Redis, prefix: string): Promise<number> {
  let total = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(
      cursor,
      'MATCH',
      `${prefix}:_switchyard:{job-index}:*`,
      'COUNT',
      1_000,
    );
    cursor = next;
    for (const key of keys) total += (await redis.memory('USAGE', key, 'SAMPLES', 0)) ?? 0;
  } while (cursor !== '0');
  return total;
}
