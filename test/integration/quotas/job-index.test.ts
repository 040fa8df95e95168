import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  createRedis,
  InvalidCursorError,
  JobIndex,
  type IndexedJob,
  type JobIndexEntry,
  type JobIndexQuery,
} from '@switchyard/queue';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { deletePrefix } from '../../helpers/redis-cleanup';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('JobIndex against a real Redis', () => {
  let redis: Redis;
  const prefixes: string[] = [];

  before(() => {
    redis = createRedis(REDIS_URL, 'client');
  });

  after(async () => {
    await Promise.all(prefixes.map((prefix) => deletePrefix(REDIS_URL, prefix)));
    redis.disconnect();
  });

  function freshIndex(options: { maxAgeMs?: number; maxEntries?: number } = {}): {
    index: JobIndex;
    prefix: string;
  } {
    const prefix = `test-${randomUUID()}`;
    prefixes.push(prefix);
    return { index: new JobIndex({ redis, prefix, ...options }), prefix };
  }

  async function write(index: JobIndex, entries: JobIndexEntry[], now?: number): Promise<void> {
    const multi = redis.multi();
    index.add(multi, entries, now);
    await multi.exec();
  }

  async function readAll(index: JobIndex, query: JobIndexQuery, limit: number): Promise<IndexedJob[]> {
    const jobs: IndexedJob[] = [];
    let cursor: string | undefined;
    do {
      const page = await index.page(query, cursor, limit);
      jobs.push(...page.jobs);
      cursor = page.nextCursor;
    } while (cursor);
    return jobs;
  }

  function entry(tenant: string, task: string, createdAt: number, lane = 'io'): JobIndexEntry {
    return { jobId: randomUUID(), lane, tenant, task, createdAt };
  }

  it('lists a tenant’s jobs newest first, by task, apart from other tenants; admins see every tenant', async () => {
    const { index } = freshIndex();
    const t0 = Date.now();
    const acmeSleep = [entry('acme', 'io.sleep', t0), entry('acme', 'io.sleep', t0 + 2)];
    const acmePrimes = entry('acme', 'cpu.primes', t0 + 1, 'cpu');
    const globexSleep = entry('globex', 'io.sleep', t0 + 3);
    await write(index, [acmeSleep[0], acmePrimes, acmeSleep[1], globexSleep]);
    const ids = (page: { jobs: IndexedJob[] }) => page.jobs.map((job) => job.jobId);

    assert.deepEqual(ids(await index.page({ tenant: 'acme' }, undefined, 10)), [
      acmeSleep[1].jobId,
      acmePrimes.jobId,
      acmeSleep[0].jobId,
    ]);
    assert.deepEqual(ids(await index.page({ tenant: 'acme', task: 'io.sleep' }, undefined, 10)), [
      acmeSleep[1].jobId,
      acmeSleep[0].jobId,
    ]);
    assert.deepEqual(ids(await index.page({ tenant: 'globex' }, undefined, 10)), [globexSleep.jobId]);
    assert.deepEqual(ids(await index.page({ tenant: 'globex', task: 'cpu.primes' }, undefined, 10)), []);
    assert.deepEqual(ids(await index.page({ task: 'io.sleep' }, undefined, 10)), [
      globexSleep.jobId,
      acmeSleep[1].jobId,
      acmeSleep[0].jobId,
    ]);
    assert.equal((await index.page({}, undefined, 10)).jobs.length, 4);
    const [newestOfAcme] = (await index.page({ tenant: 'acme', task: 'cpu.primes' }, undefined, 10)).jobs;
    assert.deepEqual(newestOfAcme, { jobId: acmePrimes.jobId, lane: 'cpu', createdAt: t0 + 1 });
  });

  it("indexes a batch of 5,000 jobs over four tenant-and-task groups, past the script's chunk of 2,000", async () => {
    const { index } = freshIndex();
    const t0 = Date.now();
    const groups = [
      ['acme', 'io.sleep'],
      ['acme', 'cpu.primes'],
      ['globex', 'io.sleep'],
      ['acme', 'io.sleep'],
    ] as const;
    // Interleaved, and the last group the same as the first: one group's jobs need not be adjacent.
    const entries = Array.from({ length: 5_000 }, (_, n) => {
      const [tenant, task] = groups[n % 4];
      return entry(tenant, task, t0 + n);
    });
    await write(index, entries);
    const count = async (query: JobIndexQuery) => (await readAll(index, query, 1_000)).length;
    assert.equal(await count({}), 5_000);
    assert.equal(await count({ tenant: 'acme' }), 3_750);
    assert.equal(await count({ tenant: 'acme', task: 'io.sleep' }), 2_500);
    assert.equal(await count({ tenant: 'acme', task: 'cpu.primes' }), 1_250);
    assert.equal(await count({ tenant: 'globex', task: 'io.sleep' }), 1_250);
    assert.equal(await count({ task: 'io.sleep' }), 3_750);
    const newest = (await index.page({}, undefined, 1)).jobs[0];
    assert.equal(newest.jobId, entries[4_999].jobId);
  });

  it('does not let a tenant named like a segment read another list', async () => {
    const { index } = freshIndex();
    await write(index, [entry('a:task:b', 'x', Date.now()), entry('a', 'b', Date.now())]);
    assert.equal((await index.page({ tenant: 'a', task: 'b' }, undefined, 10)).jobs.length, 1);
    assert.equal((await index.page({ tenant: 'a:task:b' }, undefined, 10)).jobs.length, 1);
    assert.equal((await index.page({ tenant: '*' }, undefined, 10)).jobs.length, 0);
  });

  it('pages with no duplicate and no gap while new jobs arrive, jobs of one millisecond included', async () => {
    const { index } = freshIndex();
    const t0 = Date.now() - 10_000;
    // 30 batches of 10 jobs, each batch created within one millisecond.
    const original = Array.from({ length: 300 }, (_, position) =>
      entry('acme', 'io.sleep', t0 + Math.floor(position / 10)),
    );
    for (let start = 0; start < original.length; start += 100)
      await write(index, original.slice(start, start + 100));

    const seen: IndexedJob[] = [];
    let cursor: string | undefined;
    let arrivals = 0;
    do {
      const page = await index.page({ tenant: 'acme' }, cursor, 7);
      seen.push(...page.jobs);
      cursor = page.nextCursor;
      // New jobs keep arriving while the client pages, some in the same millisecond as the page's last job.
      const last = page.jobs.at(-1);
      await write(index, [
        entry('acme', 'io.sleep', Date.now()),
        entry('acme', 'io.sleep', last?.createdAt ?? t0),
      ]);
      arrivals += 2;
    } while (cursor);

    const originalIds = new Set(original.map((job) => job.jobId));
    const seenOriginals = seen.filter((job) => originalIds.has(job.jobId));
    assert.equal(new Set(seen.map((job) => job.jobId)).size, seen.length, 'no job listed twice');
    assert.equal(
      seenOriginals.length,
      original.length,
      'every job that existed when paging began was listed',
    );
    for (let position = 1; position < seen.length; position++) {
      const [newer, older] = [seen[position - 1], seen[position]];
      assert.ok(
        newer.createdAt > older.createdAt ||
          (newer.createdAt === older.createdAt &&
            Buffer.compare(
              Buffer.from(`${newer.lane}:${newer.jobId}`),
              Buffer.from(`${older.lane}:${older.jobId}`),
            ) > 0),
        `newest first at position ${position}`,
      );
    }
    assert.ok(arrivals > 0);
  });

  it('joins the caller’s MULTI: nothing is indexed until it runs, everything after', async () => {
    const { index } = freshIndex();
    const multi = redis.multi();
    index.add(multi, [entry('acme', 'io.sleep', Date.now())]);
    assert.equal((await index.page({}, undefined, 10)).jobs.length, 0);
    const replies = await multi.exec();
    assert.equal(replies?.length, 1, 'one command for the whole batch');
    assert.equal((await index.page({}, undefined, 10)).jobs.length, 1);
    const stranger = createRedis(REDIS_URL, 'client');
    try {
      assert.throws(
        () => index.add(stranger.multi(), [entry('acme', 'io.sleep', Date.now())]),
        /MULTI made from the Redis given to the JobIndex/,
      );
    } finally {
      stranger.disconnect();
    }
  });

  it('trims entries past maxAgeMs and beyond maxEntries when a list gets new ones, and lets idle lists expire', async () => {
    const { index, prefix } = freshIndex({ maxAgeMs: 60_000, maxEntries: 5 });
    const now = Date.now();
    await write(index, [entry('acme', 'io.sleep', now - 120_000)], now - 120_000);
    await write(
      index,
      Array.from({ length: 8 }, (_, position) => entry('acme', 'io.sleep', now + position)),
      now,
    );
    const listed = await readAll(index, { tenant: 'acme' }, 100);
    assert.deepEqual(
      listed.map((job) => job.createdAt),
      [7, 6, 5, 4, 3].map((offset) => now + offset),
    );
    const ttl = await redis.pttl(`${prefix}:_switchyard:{job-index}:tenant:acme`);
    assert.ok(ttl > 0 && ttl <= 60_000, `the list expires when idle for maxAgeMs (pttl ${ttl})`);
  });

  it('forgets jobs a reader found gone, so later pages skip them', async () => {
    const { index } = freshIndex();
    const jobs = Array.from({ length: 4 }, (_, position) => entry('acme', 'io.sleep', Date.now() + position));
    await write(index, jobs);
    const { jobs: listed } = await index.page({ tenant: 'acme' }, undefined, 2);
    assert.equal(await index.remove({ tenant: 'acme' }, listed), 2);
    assert.deepEqual(
      (await readAll(index, { tenant: 'acme' }, 10)).map((job) => job.jobId),
      [jobs[1].jobId, jobs[0].jobId],
    );
  });

  it('answers a hostile cursor with InvalidCursorError and nothing else', async () => {
    const { index } = freshIndex();
    await write(index, [entry('acme', 'io.sleep', Date.now())]);
    const oldReaderCursor = Buffer.from(JSON.stringify({ lane: 0, offset: 2 ** 60 })).toString('base64url');
    const hugeScore = Buffer.from(JSON.stringify([2 ** 60, 'io:x'])).toString('base64url');
    for (const cursor of ['', 'x', oldReaderCursor, hugeScore, 'a'.repeat(5_000), '%%%', 'W10']) {
      await assert.rejects(
        index.page({ tenant: 'acme' }, cursor, 10),
        InvalidCursorError,
        `cursor ${cursor.slice(0, 20)}`,
      );
    }
    const onlyInvalidCursorError = async (cursor: string) => {
      try {
        await index.page({ tenant: 'acme' }, cursor, 10);
      } catch (error) {
        assert.ok(
          error instanceof InvalidCursorError,
          `cursor ${JSON.stringify(cursor)} threw ${String(error)}`,
        );
      }
    };
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 200 }), onlyInvalidCursorError), {
      numRuns: 300,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(
          fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
          fc.string({ unit: 'binary' }),
        ),
        (shape) => onlyInvalidCursorError(Buffer.from(JSON.stringify(shape)).toString('base64url')),
      ),
      { numRuns: 300 },
    );
  });
});
