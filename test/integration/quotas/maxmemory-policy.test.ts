import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createRedis } from '@switchyard/queue';
import { checkMaxmemoryPolicy } from '@switchyard/quotas';
import { startPrivateRedis, type PrivateRedis } from './private-redis-server';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('checkMaxmemoryPolicy against real Redis servers', () => {
  const servers: PrivateRedis[] = [];
  after(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });

  async function policyOf(url: string) {
    const redis = createRedis(url, 'client');
    try {
      return await checkMaxmemoryPolicy(redis);
    } finally {
      redis.disconnect();
    }
  }

  it('accepts the project Redis, which runs noeviction', async () => {
    assert.deepEqual(await policyOf(REDIS_URL), { policy: 'noeviction', ok: true });
  });

  it('warns about an evicting policy, saying what it costs and how to fix it', async () => {
    const server = await startPrivateRedis(['--maxmemory-policy', 'allkeys-lru']);
    servers.push(server);
    const check = await policyOf(server.url);
    assert.equal(check.policy, 'allkeys-lru');
    assert.equal(check.ok, false);
    assert.match(check.message ?? '', /"allkeys-lru", not "noeviction"/);
    assert.match(check.message ?? '', /lost or run twice/);
    assert.match(check.message ?? '', /Set maxmemory-policy to noeviction/);
  });

  it('reads the policy from INFO where CONFIG is disabled, as on managed Redis', async () => {
    const server = await startPrivateRedis([
      '--maxmemory-policy',
      'volatile-lru',
      '--rename-command',
      'CONFIG',
      '',
    ]);
    servers.push(server);
    const check = await policyOf(server.url);
    assert.equal(check.policy, 'volatile-lru');
    assert.equal(check.ok, false);
  });
});
