import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { consumerStats, eventually, waitUntilRunning } from '../../helpers/e2e-stack';
import { RestartableRedis } from './restartable-redis';
import { exitTime, startRobustnessStack, timedGet, type RobustnessStack } from './robustness-stack';

const DRAIN_TIMEOUT_MS = 3_000;
/** The bound: SIGTERM while Redis is away → exit within DRAIN_TIMEOUT_MS + 5 s. */
const EXIT_BOUND_MS = DRAIN_TIMEOUT_MS + 5_000;
/** Every /readyz answers within this, whatever Redis does (the chart's probe timeout is longer). */
const READY_BOUND_MS = 1_000;

/**
 * A private Redis (AOF on) that the test freezes, kills and restarts under the real apps: readiness
 * answers in time, a consumer told to stop while Redis is away exits in time with jobs in flight, and a
 * consumer that was not stopped consumes again once Redis is back.
 */
describe('a Redis outage: readiness, shutdown and recovery', { timeout: 120_000 }, () => {
  let redis: RestartableRedis;
  let e2e: RobustnessStack;
  const readyUrls = () =>
    ['api', 'io-consumer', 'compute'].flatMap((name) =>
      [1, 2].flatMap((replica) => {
        try {
          const service = e2e.service(name, replica);
          return service.process.child.exitCode === null && service.process.child.signalCode === null
            ? [`${service.baseUrl}/readyz`]
            : [];
        } catch {
          return [];
        }
      }),
    );

  before(async () => {
    redis = await RestartableRedis.start();
    e2e = await startRobustnessStack({
      redisUrl: redis.url,
      env: { DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS) },
      services: [
        { name: 'api', app: 'api' },
        { name: 'io-consumer', app: 'io-consumer', replicas: 2 },
        { name: 'compute', app: 'compute', env: { EXECUTION_MODEL: 'processes', LANE: 'cpu' } },
      ],
    });
  });
  after(async () => {
    await e2e?.stop();
    await redis?.remove();
  });

  async function assertAllNotReadyInTime(what: string): Promise<void> {
    for (const url of readyUrls()) {
      const { status, ms } = await timedGet(url);
      console.log(`${what}: ${url} → ${status} in ${ms} ms`);
      assert.equal(status, 503, `${url} while ${what}`);
      assert.ok(ms < READY_BOUND_MS, `${url} answered in ${ms} ms while ${what}`);
    }
  }

  // The compute and one io-consumer hold jobs when Redis goes away; the other io-consumer is left alone.
  let ioVictim = 1;
  let ioSurvivor = 2;

  it('jobs run on the compute and on an io-consumer', async () => {
    for (const url of readyUrls()) assert.equal((await timedGet(url)).status, 200, url);
    const spin = await e2e.client.submit({ task: 'diag.spin', payload: { ms: 30_000 }, lane: 'cpu' });
    await waitUntilRunning(e2e.client, spin.id);
    for (let index = 0; index < 4; index++) {
      await e2e.client.submit({ task: 'io.sleep', payload: { ms: 30_000 } });
    }
    const active = await eventually(async () => {
      const counts = await Promise.all(
        [1, 2].map(async (replica) => (await consumerStats(e2e.service('io-consumer', replica))).activeJobs),
      );
      return counts[0] + counts[1] === 4 ? counts : undefined;
    }, 'the io jobs to start');
    if (active[1] > active[0]) [ioVictim, ioSurvivor] = [2, 1];
  });

  it('while Redis hangs (SIGSTOP), every /readyz answers 503 within 1 s', async () => {
    redis.freeze();
    await assertAllNotReadyInTime('Redis hangs');
  });

  it('SIGTERM to the compute while Redis hangs, a job in flight: it exits within DRAIN_TIMEOUT_MS + 5 s', async () => {
    const compute = e2e.service('compute');
    const since = performance.now();
    compute.process.child.kill('SIGTERM');
    const exited = await Promise.race([exitTime(compute, since), delay(EXIT_BOUND_MS + 5_000, -1)]);
    console.log(`compute exited ${exited} ms after SIGTERM (Redis hung, 1 job in flight)`);
    assert.ok(exited >= 0 && exited <= EXIT_BOUND_MS, `exited after ${exited} ms`);
    redis.thaw();
  });

  it('while Redis is down, every /readyz and the api answer 503 within 1 s', async () => {
    await redis.down();
    await assertAllNotReadyInTime('Redis is down');
    const started = performance.now();
    const response = await fetch(`${e2e.client.baseUrl}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ task: 'io.sleep', payload: { ms: 1 } }),
      signal: AbortSignal.timeout(10_000),
    });
    const ms = Math.round(performance.now() - started);
    console.log(`POST /v1/jobs while Redis is down → ${response.status} in ${ms} ms`);
    assert.equal(response.status, 503);
    assert.ok(ms < READY_BOUND_MS, `answered in ${ms} ms`);
  });

  it('SIGTERM to an io-consumer while Redis is down, jobs in flight: it exits within DRAIN_TIMEOUT_MS + 5 s', async () => {
    const victim = e2e.service('io-consumer', ioVictim);
    const since = performance.now();
    victim.process.child.kill('SIGTERM');
    const exited = await Promise.race([exitTime(victim, since), delay(EXIT_BOUND_MS + 5_000, -1)]);
    console.log(`io-consumer exited ${exited} ms after SIGTERM (Redis down, jobs in flight)`);
    assert.ok(exited >= 0 && exited <= EXIT_BOUND_MS, `exited after ${exited} ms`);
  });

  it('once Redis is back, the io-consumer that was not stopped is ready and consumes again', async () => {
    await redis.up();
    const survivor = e2e.service('io-consumer', ioSurvivor);
    await eventually(
      async () => (await timedGet(`${survivor.baseUrl}/readyz`)).status === 200 || undefined,
      'the surviving io-consumer to be ready',
      15_000,
    );
    // The api reconnects on its own schedule: submit once it says it is ready again.
    await eventually(
      async () => (await timedGet(`${e2e.client.baseUrl}/readyz`)).status === 200 || undefined,
      'the api to be ready',
      15_000,
    );
    const ids = await e2e.client.submitMany(
      Array.from({ length: 20 }, () => ({ task: 'io.sleep', payload: { ms: 1 } })),
    );
    const views = await e2e.client.waitForAll(ids, { timeoutMs: 20_000 });
    assert.deepEqual(
      views.map((view) => view.state),
      ids.map(() => 'completed'),
    );
    assert.ok(views.every((view) => view.execution?.pid === survivor.pid));
  });
});
