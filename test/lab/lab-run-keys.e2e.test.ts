/**
 * A lab run leaves nothing behind in the Redis it was given: the real local stack runs a small plan (the
 * quick io cells, one repeat each) on the shared Redis, and on a Redis Cluster (REDIS_MODE=cluster), and
 * once the target is closed none of the run's keys remain on any node, where they were there before
 * the close.
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import { startRedisCluster } from '@switchyard/local-stack';
import { LocalStackTarget, runLab, type LabResults, type LabTarget } from '@switchyard/lab';
import { RecordingProgress } from './silent-progress';

const SHARED_REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function countKeys(redis: Redis | Cluster, prefix: string): Promise<number> {
  let count = 0;
  for (const node of redis instanceof Cluster ? redis.nodes('master') : [redis]) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      count += keys.length;
    } while (cursor !== '0');
  }
  return count;
}

/** Runs the quick io cells once each; counts each prefix's keys just before the runner closes the target. */
async function runSmallLab(
  redis: Redis | Cluster,
  local: LocalStackTarget,
): Promise<{ results: LabResults; keysBeforeClose: Map<string, number> }> {
  const keysBeforeClose = new Map<string, number>();
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
  const results = await runLab({
    target,
    options: { quick: true, repeat: 1, only: ['io'] },
    progress: new RecordingProgress(),
    signal: new AbortController().signal,
  });
  return { results, keysBeforeClose };
}

async function assertNoKeysLeft(
  redis: Redis | Cluster,
  local: LocalStackTarget,
  { results, keysBeforeClose }: Awaited<ReturnType<typeof runSmallLab>>,
): Promise<void> {
  assert.equal(results.partial, false, results.partialReason);
  assert.deepEqual(
    results.notes.filter((note) => /could not be deleted/.test(note)),
    [],
  );
  const jobs = results.cells.reduce((sum, cell) => sum + (cell.runs[0]?.completed ?? 0), 0);
  assert.ok(jobs > 0, 'the run completed jobs');
  assert.ok(local.keyPrefixes.length >= 1);
  for (const prefix of local.keyPrefixes) {
    assert.ok((keysBeforeClose.get(prefix) ?? 0) > jobs, `${prefix} held the run's jobs before the close`);
    assert.equal(await countKeys(redis, prefix), 0, `no key under ${prefix} is left`);
  }
}

test('a lab run deletes its keys from the shared Redis when it closes', { timeout: 300_000 }, async () => {
  const redis = new Redis(SHARED_REDIS);
  const local = new LocalStackTarget({
    quick: true,
    only: ['io'],
    cores: os.availableParallelism(),
    redisUrl: SHARED_REDIS,
  });
  try {
    await assertNoKeysLeft(redis, local, await runSmallLab(redis, local));
  } finally {
    redis.disconnect();
  }
});

test(
  'a lab run on a Redis Cluster (REDIS_MODE=cluster) deletes its keys from every master',
  { timeout: 300_000 },
  async () => {
    const cluster = await startRedisCluster();
    const redis = new Cluster(
      cluster.nodeUrls.map((url) => ({ host: '127.0.0.1', port: Number(new URL(url).port) })),
    );
    const local = new LocalStackTarget({
      quick: true,
      only: ['io'],
      cores: os.availableParallelism(),
      redisUrl: cluster.seeds,
      redisMode: 'cluster',
    });
    try {
      const run = await runSmallLab(redis, local);
      assert.match(run.results.machine.redis, /^\d+\.\d+/, 'the version of the first seed');
      await assertNoKeysLeft(redis, local, run);
    } finally {
      redis.disconnect();
      await cluster.stop();
    }
  },
);
