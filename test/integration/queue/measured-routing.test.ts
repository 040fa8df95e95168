import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '@switchyard/config';
import type { RoutingDecision } from '@switchyard/contracts';
import {
  createRedis,
  JobSubmissionValidator,
  LaneRouter,
  MeasuredRouting,
  TaskCpuProfiles,
} from '@switchyard/queue';
import { catalogOptionsFrom, createTaskCatalog } from '@switchyard/tasks';
import type { Redis } from 'ioredis';
import { deletePrefix } from '../../helpers/redis-cleanup';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const USER = { tenant: 'tenant-a', mayOverrideProfile: false };

/** Attempts of one task, all with the same ratio, as a consumer's flush would send them. */
const attempts = (task: string, ratio: number, count: number) => [
  { task, cpuMs: ratio * 50 * count, runMs: 50 * count, count },
];

/**
 * `profile: "auto"` against a real Redis: the consumers' batched averages, the hysteresis decided in
 * the script, and the api's routing (through the real validator, router and catalog) that follows them.
 */
describe('measured routing: task CPU ratios in Redis and the auto profile', () => {
  const config = loadConfig({
    REDIS_URL,
    QUEUE_PREFIX: `test-${randomUUID()}`,
    HTTP_ALLOWED_HOSTS: '127.0.0.1',
  });
  const catalog = createTaskCatalog(catalogOptionsFrom(config));
  const router = new LaneRouter(config);
  const validator = new JobSubmissionValidator(catalog, router, config);
  const example = (task: string) => catalog.get(task).example;
  let redis: Redis;
  let profiles: TaskCpuProfiles;

  before(() => {
    redis = createRedis(REDIS_URL, 'client', 'measured-routing-test');
    profiles = new TaskCpuProfiles({ redis, prefix: config.QUEUE_PREFIX, cpuHigh: 0.6, cpuLow: 0.4 });
  });
  after(async () => {
    await deletePrefix(REDIS_URL, config.QUEUE_PREFIX);
    redis.disconnect();
  });

  /** How the api routes one request body, with ratios read fresh (no cache between calls). */
  async function routeOf(body: object, minSamples = 20): Promise<RoutingDecision> {
    const measured = new MeasuredRouting({ profiles, catalog, router, minSamples, cacheMs: 0 });
    const checked = validator.check(body, USER);
    assert.ok(checked.ok, JSON.stringify(!checked.ok && checked.errors));
    await measured.route([checked.submission]);
    return checked.submission.data.routing;
  }

  it('folds batches into a decaying average that every reader sees', async () => {
    await profiles.record(attempts('cpu.hash', 0.9, 10));
    let read = (await profiles.read()).get('cpu.hash');
    assert.deepEqual(read, { ratio: 0.9, samples: 10, profile: 'cpu' }, 'the first batch starts the average');
    await profiles.record(attempts('cpu.hash', 0.1, 10));
    read = (await profiles.read()).get('cpu.hash');
    const expected = 0.9 * 0.9 ** 10 + 0.1 * (1 - 0.9 ** 10);
    assert.ok(read && Math.abs(read.ratio - expected) < 1e-9, `ratio ${read?.ratio}, expected ${expected}`);
    assert.equal(read.samples, 20);
  });

  it('switches profile only past the hysteresis band', async () => {
    const profileAfter = async (ratio: number) => {
      // Enough attempts that the average lands on `ratio`, to within a hundredth.
      await profiles.record(attempts('io.sleep', ratio, 60));
      const read = (await profiles.read()).get('io.sleep');
      assert.ok(read && Math.abs(read.ratio - ratio) < 0.01, `ratio ${read?.ratio} near ${ratio}`);
      return read.profile;
    };
    assert.equal(await profileAfter(0.45), 'io', 'a first decision below the midpoint: io');
    assert.equal(await profileAfter(0.55), 'io', 'inside the band: stays io');
    assert.equal(await profileAfter(0.7), 'cpu', 'above AUTO_ROUTING_CPU_HIGH: cpu');
    assert.equal(await profileAfter(0.45), 'cpu', 'inside the band: stays cpu');
    assert.equal(await profileAfter(0.2), 'io', 'below AUTO_ROUTING_CPU_LOW: back to io');
  });

  it('routes auto jobs by the task default until enough samples, then by the measured ratio', async () => {
    await profiles.record(attempts('cpu.primes', 1, 5));
    const warming = await routeOf({ task: 'cpu.primes', payload: example('cpu.primes'), profile: 'auto' });
    assert.deepEqual(warming, { profile: 'cpu', lane: 'cpu', reason: 'task-default' });
    await profiles.record(attempts('cpu.primes', 1, 15));
    const measured = await routeOf({ task: 'cpu.primes', payload: example('cpu.primes'), profile: 'auto' });
    assert.deepEqual(measured, { profile: 'cpu', lane: 'cpu', reason: 'measured', cpuRatio: 1 });
  });

  it('moves an either-lane task with its ratio, and keeps a cpu-only task on cpu whatever it measures', async () => {
    await profiles.record(attempts('io.http', 0.95, 40));
    assert.deepEqual(await routeOf({ task: 'io.http', payload: example('io.http') }), {
      profile: 'cpu',
      lane: 'cpu',
      reason: 'measured',
      cpuRatio: 0.95,
    });
    // cpu.matmul declares only cpu: a low ratio is recorded on the job, the lane stays a cpu lane.
    await profiles.record(attempts('cpu.matmul', 0.05, 40));
    const matmul = await routeOf({ task: 'cpu.matmul', payload: example('cpu.matmul'), profile: 'auto' });
    assert.deepEqual(matmul, { profile: 'cpu', lane: 'cpu', reason: 'measured', cpuRatio: 0.05 });
  });

  it('leaves explicit profiles and lanes alone, measured or not', async () => {
    await profiles.record(attempts('cpu.mandelbrot', 1, 40));
    const override = await routeOf({ task: 'io.http', payload: example('io.http'), profile: 'io' });
    assert.equal(override.reason, 'task-default');
    assert.equal(override.lane, 'io');
    const lane = await routeOf({
      task: 'cpu.mandelbrot',
      payload: example('cpu.mandelbrot'),
      profile: 'auto',
      lane: 'cpu',
    });
    assert.equal(lane.reason, 'lane-explicit');
    assert.equal(lane.cpuRatio, undefined);
    const refused = validator.check(
      { task: 'cpu.mandelbrot', payload: example('cpu.mandelbrot'), profile: 'io' },
      USER,
    );
    assert.equal(refused.ok, false, 'an explicit io profile for a cpu-only task is still refused');
  });

  it('reads the ratios once per cache period, not once per submission', async () => {
    await profiles.record(attempts('cpu.hash', 0.9, 100));
    const cached = new MeasuredRouting({ profiles, catalog, router, minSamples: 20, cacheMs: 60_000 });
    const route = async () => {
      const checked = validator.check(
        { task: 'cpu.hash', payload: example('cpu.hash'), profile: 'auto' },
        USER,
      );
      assert.ok(checked.ok);
      await cached.route([checked.submission]);
      return checked.submission.data.routing;
    };
    assert.equal((await route()).cpuRatio, 0.9);
    // The averages change; within the cache period the api keeps routing by what it read.
    await profiles.record(attempts('cpu.hash', 0, 100));
    for (let i = 0; i < 20; i++) assert.equal((await route()).cpuRatio, 0.9, 'the cached ratio');
    const fresh = new MeasuredRouting({ profiles, catalog, router, minSamples: 20, cacheMs: 0 });
    const checked = validator.check(
      { task: 'cpu.hash', payload: example('cpu.hash'), profile: 'auto' },
      USER,
    );
    assert.ok(checked.ok);
    await fresh.route([checked.submission]);
    assert.ok((checked.submission.data.routing.cpuRatio ?? 1) < 0.01, 'a fresh read sees the change');
  });
});
