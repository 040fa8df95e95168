/**
 * A lab run on a shared Redis leaves nothing behind: the real local stack runs a small plan (the quick
 * io cells, one repeat each) on the shared Redis, and once the target is closed none of the run's keys
 * remain, where they were there (thousands per quick run) before the close.
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { LocalStackTarget, runLab, type LabTarget } from '@switchyard/lab';
import { RecordingProgress } from './silent-progress';

const SHARED_REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function countKeys(redis: Redis, prefix: string): Promise<number> {
  let count = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    count += keys.length;
  } while (cursor !== '0');
  return count;
}

test('a lab run deletes its keys from the shared Redis when it closes', { timeout: 300_000 }, async () => {
  const redis = new Redis(SHARED_REDIS);
  const local = new LocalStackTarget({
    quick: true,
    only: ['io'],
    cores: os.availableParallelism(),
    redisUrl: SHARED_REDIS,
  });
  const keysBeforeClose = new Map<string, number>();
  // The runner closes the target itself: count the run's keys just before it does.
  const target: LabTarget = {
    kind: local.kind,
    measuresHostCpu: local.measuresHostCpu,
    notes: local.notes,
    plan: () => local.plan(),
    prepare: (cell, signal) => local.prepare(cell, signal),
    reset: () => local.reset(),
    describe: () => local.describe(),
    close: async () => {
      for (const prefix of local.keyPrefixes) keysBeforeClose.set(prefix, await countKeys(redis, prefix));
      await local.close();
    },
  };
  try {
    const results = await runLab({
      target,
      options: { quick: true, repeat: 1, only: ['io'] },
      progress: new RecordingProgress(),
      signal: new AbortController().signal,
    });
    assert.equal(results.partial, false, results.partialReason);
    const jobs = results.cells.reduce((sum, cell) => sum + (cell.runs[0]?.completed ?? 0), 0);
    assert.ok(jobs > 0, 'the run completed jobs');
    assert.ok(local.keyPrefixes.length >= 1);
    for (const prefix of local.keyPrefixes) {
      assert.ok((keysBeforeClose.get(prefix) ?? 0) > jobs, `${prefix} held the run's jobs before the close`);
      assert.equal(await countKeys(redis, prefix), 0, `no key under ${prefix} is left`);
    }
  } finally {
    redis.disconnect();
  }
});
