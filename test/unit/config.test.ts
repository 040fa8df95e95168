import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '@switchyard/config';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    assert.equal(config.REDIS_URL, 'redis://127.0.0.1:6379');
    assert.equal(config.QUEUE_PREFIX, 'switchyard');
    assert.equal(config.PORT, 3000);
    assert.deepEqual(config.LANES, ['io', 'cpu']);
    assert.equal(config.IO_CONCURRENCY, 256);
    assert.equal(config.EXECUTION_MODEL, 'worker-threads');
  });

  it('names every bad variable at once', () => {
    assert.throws(
      () => loadConfig({ PORT: 'http', EXECUTION_MODEL: 'fibers' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /PORT="http"/.test(error.message) &&
        /EXECUTION_MODEL="fibers"/.test(error.message),
    );
  });

  it('refuses a default lane that is not in LANES', () => {
    assert.throws(() => loadConfig({ LANES: 'io', CPU_LANE: 'cpu' }), /lane "cpu" is not in LANES=io/);
  });

  it('refuses an auto-routing low threshold that is not below the high one', () => {
    assert.throws(
      () => loadConfig({ AUTO_ROUTING_CPU_LOW: '0.2', AUTO_ROUTING_CPU_HIGH: '0.1' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /AUTO_ROUTING_CPU_LOW=0.2 must be below AUTO_ROUTING_CPU_HIGH=0.1/.test(error.message),
    );
  });

  it('takes a Redis Cluster as comma-separated seed URLs with REDIS_MODE=cluster, and only then', () => {
    const seeds = 'redis://10.0.0.1:6379, redis://10.0.0.2:6379';
    assert.equal(loadConfig({}).REDIS_MODE, 'standalone');
    const config = loadConfig({ REDIS_MODE: 'cluster', REDIS_URL: seeds });
    assert.equal(config.REDIS_MODE, 'cluster');
    assert.equal(config.REDIS_URL, seeds);
    assert.throws(
      () => loadConfig({ REDIS_URL: seeds }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /REDIS_URL lists several URLs: set REDIS_MODE=cluster/.test(error.message),
    );
    assert.throws(
      () => loadConfig({ REDIS_MODE: 'cluster', REDIS_URL: 'redis://10.0.0.1:6379,not a url' }),
      /REDIS_URL=.*one URL, or comma-separated URLs/,
    );
    assert.throws(() => loadConfig({ REDIS_MODE: 'sentinel' }), /REDIS_MODE="sentinel"/);
  });

  it('reads LANE_REDIS_URLS as lane=url entries, each lane in LANES', () => {
    assert.deepEqual(loadConfig({}).LANE_REDIS_URLS, {});
    const config = loadConfig({ LANE_REDIS_URLS: 'cpu=redis://:p=w@redis-cpu:6379/0, io=redis://redis-io' });
    assert.deepEqual(config.LANE_REDIS_URLS, {
      cpu: 'redis://:p=w@redis-cpu:6379/0',
      io: 'redis://redis-io',
    });
    assert.throws(
      () => loadConfig({ LANE_REDIS_URLS: 'gpu=redis://redis-gpu' }),
      /lane "gpu" is not in LANES/,
    );
    assert.throws(
      () => loadConfig({ LANE_REDIS_URLS: 'cpu=redis://a,cpu=redis://b' }),
      /"cpu=redis:\/\/b" is not lane=url \(each lane once\)/,
    );
    assert.throws(() => loadConfig({ LANE_REDIS_URLS: 'redis://a' }), /is not lane=url/);
  });

  it('treats empty strings as unset', () => {
    assert.equal(loadConfig({ PORT: '' }).PORT, 3000);
  });
});
