import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '@switchyard/config';
import { startRedisCluster, type RedisClusterHandle } from '@switchyard/local-stack';
import { closeRedis, createRedis, LaneQueues, type RedisConnection } from '@switchyard/queue';

/** A password that a URL must escape (@ : / % # and a space), as a Secret may hold. */
const PASSWORD = 'p@ss:w/rd%#x y';

describe('REDIS_MODE=cluster with REDIS_PASSWORD_FILE, against a cluster that requires the password', () => {
  let cluster: RedisClusterHandle;
  let dir: string;
  let redis: RedisConnection | undefined;

  before(async () => {
    cluster = await startRedisCluster({ password: PASSWORD });
    dir = mkdtempSync(path.join(tmpdir(), 'cluster-password-'));
  });
  after(async () => {
    if (redis) await closeRedis(redis, 1_000);
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reaches every master with the password from the file, given to each seed', async () => {
    const file = path.join(dir, 'password');
    writeFileSync(file, `${PASSWORD}\n`);
    const config = loadConfig({ REDIS_MODE: 'cluster', REDIS_URL: cluster.seeds, REDIS_PASSWORD_FILE: file });
    assert.equal(config.REDIS_URL.split(',').length, 3);
    assert.ok(!config.REDIS_URL.includes(PASSWORD), 'the password is percent-encoded in each URL');
    redis = createRedis(config.REDIS_URL, 'client', 'cluster-password-test', config.REDIS_MODE);
    // Lanes whose tags hash to slots on different masters: the client authenticates with each.
    const queues = new LaneQueues({
      connection: redis,
      prefix: 'sy-auth',
      lanes: ['io', 'cpu', 'cpu-processes'],
    });
    try {
      for (const queue of queues.all()) await queue.add('io.sleep', {} as never);
      assert.deepEqual(
        (await queues.counts()).map(({ lane, waiting }) => [lane, waiting]),
        [
          ['io', 1],
          ['cpu', 1],
          ['cpu-processes', 1],
        ],
      );
    } finally {
      await queues.close();
    }
  });
});
