/**
 * The redis experiment (the same lanes on one Redis and on a 3-master cluster): its plan, its
 * conclusion, and the Redis helpers it stands on, against a real Redis Cluster started here and the
 * shared Redis: every node's pid counted as the stack's own, the run's keys deleted on every master,
 * and where each lane's keys landed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import { startRedisCluster, type RedisClusterHandle } from '@switchyard/local-stack';
import {
  buildLocalPlan,
  deleteRunKeys,
  deriveConclusions,
  describeMachine,
  localRedisPids,
  parseLabArgs,
  readLanePlacement,
  summarizeCell,
  type CellResult,
} from '@switchyard/lab';
import { fakeResults, fakeRun, fakeSpec } from './lab-fixtures';

const SHARED_REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('the redis experiment plan', () => {
  const cells = buildLocalPlan({ quick: true, cores: 2, only: ['redis'] });

  test('runs the same lanes, jobs and consumers once on one Redis and once on a cluster', () => {
    assert.deepEqual(
      cells.map((cell) => [cell.id, cell.redis]),
      [
        ['redis/standalone', 'standalone'],
        ['redis/cluster', 'cluster'],
      ],
    );
    const [standalone, cluster] = cells;
    assert.deepEqual(standalone.jobs, cluster.jobs);
    assert.deepEqual(standalone.consumers, cluster.consumers);
    assert.deepEqual(
      standalone.jobs.map((mix) => mix.lane),
      ['io', 'io2', 'io3'],
    );
    assert.deepEqual(
      standalone.consumers.map((shape) => [shape.app, shape.env.LANE, shape.replicas]),
      [
        ['io-consumer', 'io', 1],
        ['io-consumer', 'io2', 1],
        ['io-consumer', 'io3', 1],
      ],
      'one io-consumer per lane',
    );
    assert.ok(standalone.jobs.every((mix) => mix.job.kind === 'io.sleep' && mix.job.ms <= 1));
  });

  test('is in the quick matrix, is selectable with --only redis, and no other experiment sets a Redis', () => {
    const quick = buildLocalPlan({ quick: true, cores: 2 });
    assert.deepEqual(
      quick.filter((cell) => cell.redis).map((cell) => cell.id),
      ['redis/standalone', 'redis/cluster'],
    );
    assert.ok(quick.filter((cell) => cell.experiment !== 'redis').every((cell) => !cell.redis));
    const parsed = parseLabArgs(['--quick', '--only', 'redis'], new Date(), {});
    assert.ok(!parsed.help);
    assert.deepEqual(parsed.options.only, ['redis']);
  });
});

function redisCell(redis: 'standalone' | 'cluster', throughputs: number[], extra: Partial<CellResult> = {}) {
  const spec = fakeSpec(`redis/${redis}`, {
    experiment: 'redis',
    series: `redis/${redis}`,
    model: 'event-loop',
    task: 'io.sleep',
    perReplica: 50,
    replicas: 3,
    redis,
  });
  return {
    ...summarizeCell(
      spec,
      throughputs.map((throughput) => fakeRun(throughput, { redisCpuPercentOfCore: 40 })),
      'cpu.primes',
    ),
    ...extra,
  };
}

const redisConclusion = (cells: CellResult[]) =>
  deriveConclusions(fakeResults(cells)).find((conclusion) => conclusion.profile === 'redis');

describe('the redis conclusion', () => {
  test('says "not distinguishable" where the intervals overlap, whatever the medians', () => {
    const found = redisConclusion([
      redisCell('standalone', [900, 1000, 1100]),
      redisCell('cluster', [1000, 1150, 1300]),
    ]);
    assert.ok(found);
    assert.match(found.findings[0], /not distinguishable/);
    assert.doesNotMatch(found.findings.join(' '), /carried more/);
    assert.match(found.findings.join(' '), /2 cores/, 'it says what the machine was');
    assert.match(found.findings.join(' '), /40 % of a core as one server.*one Redis was not the limit here/);
  });

  test('ranks the two only when the intervals are apart, and says where each lane landed', () => {
    const placement = [
      { lane: 'io', node: '127.0.0.1:7003', master: 2, slot: 11515, keys: 10 },
      { lane: 'io2', node: '127.0.0.1:7001', master: 0, slot: 2303, keys: 10 },
    ];
    const found = redisConclusion([
      redisCell('standalone', [1000, 1010, 1020]),
      redisCell('cluster', [700, 710, 720], { lanePlacement: placement }),
    ]);
    assert.ok(found);
    assert.match(found.findings[0], /cluster carried less.*0\.70×/);
    assert.match(found.findings[1], /io → master 3 \(slot 11515\), 10 keys; io2 → master 1 \(slot 2303\)/);
    assert.match(found.findings[1], /2 lanes on 2 master\(s\)/);
  });

  test('is absent when either cell is missing, and flags busy cells', () => {
    assert.equal(redisConclusion([redisCell('standalone', [1000, 1010, 1020])]), undefined);
    const found = redisConclusion([
      redisCell('standalone', [1000, 1010, 1020], { busy: true }),
      redisCell('cluster', [1000, 1010, 1020]),
    ]);
    assert.match(found?.findings.join(' ') ?? '', /redis\/standalone ran on a busy machine/);
  });
});

describe('Redis helpers on a real 3-master cluster and the shared Redis', () => {
  let cluster: RedisClusterHandle;
  let client: Cluster;
  const prefix = `sy-labkeys-${process.pid}`;

  before(async () => {
    cluster = await startRedisCluster();
    client = new Cluster(
      cluster.nodeUrls.map((url) => ({ host: '127.0.0.1', port: Number(new URL(url).port) })),
    );
  });
  after(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  test("counts every node's redis-server pid as the stack's own, from the seed list", async () => {
    const pids = await localRedisPids(cluster.seeds, 'cluster');
    assert.equal(pids.length, 3, `one pid per master: ${pids.join(', ')}`);
    for (const pid of pids) assert.match(readFileSync(`/proc/${pid}/comm`, 'utf8'), /^redis/);
    assert.deepEqual(await localRedisPids(cluster.nodeUrls[0], 'cluster'), pids, 'one seed is enough');
    const machine = await describeMachine('local', cluster.seeds);
    assert.match(machine.redis, /^\d+\.\d+/, `the version of the first seed, got "${machine.redis}"`);
  });

  test('deletes a prefix on every master, and nothing else', async () => {
    const lanes = ['io', 'io2', 'io3', 'cpu'];
    for (const lane of lanes) {
      for (let index = 0; index < 20; index++) await client.set(`${prefix}:{${lane}}:${lane}:${index}`, 'x');
    }
    await client.set(`${prefix}:_switchyard:idempotency:k`, 'x');
    await client.set(`${prefix}-other:{io}:keep`, 'x');
    const placement = await readLanePlacement({
      redisUrl: cluster.seeds,
      mode: 'cluster',
      prefix,
      lanes: ['io', 'io2', 'io3'],
      masterUrls: cluster.nodeUrls,
    });
    assert.deepEqual(
      placement.map((entry) => [entry.lane, entry.master, entry.slot, entry.keys]),
      [
        ['io', 2, 11515, 20],
        ['io2', 0, 2303, 20],
        ['io3', 1, 6366, 20],
      ],
    );
    assert.equal(await deleteRunKeys(cluster.seeds, prefix, 'cluster'), 81);
    const left = await Promise.all(client.nodes('master').map((node) => node.keys(`${prefix}*`)));
    assert.deepEqual(left.flat(), [`${prefix}-other:{io}:keep`]);
  });

  test('deletes a prefix on a standalone Redis, glob characters taken literally', async () => {
    const redis = new Redis(SHARED_REDIS);
    const odd = `${prefix}-odd*[x]`;
    try {
      await redis.set(`${odd}:a`, 'x');
      await redis.set(`${prefix}-oddball:a`, 'x');
      assert.equal(await deleteRunKeys(SHARED_REDIS, odd), 1);
      assert.equal(await redis.exists(`${prefix}-oddball:a`), 1, 'the pattern did not match other prefixes');
      assert.equal(await redis.exists(`${odd}:a`), 0);
    } finally {
      await redis.del(`${prefix}-oddball:a`, `${odd}:a`);
      redis.disconnect();
    }
  });
});
