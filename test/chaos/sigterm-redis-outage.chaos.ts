import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { test } from 'node:test';
import { eventually } from '../helpers/e2e-stack';
import { startChaosStack } from './support/chaos-stack';
import { describeExit, signalAndTimeExits } from './support/consumer-exit';
import { printFigure, seconds } from './support/figure';

const DRAIN_TIMEOUT_MS = 3_000;
/** The bound: a consumer told to stop exits within its drain timeout and 5 s more. */
const EXIT_BOUND_MS = DRAIN_TIMEOUT_MS + 5_000;
const CONSUMERS = ['io-consumer', 'compute'];

// Kubernetes sends SIGTERM and, after the grace period, SIGKILL: a consumer that cannot exit while
// Redis is down turns every rollout during an outage into a forced kill, and a zombie until then.
// Both consumers hold jobs that outlast the drain, so each must give up on putting them back.
test('SIGTERM to consumers during a Redis outage: each exits within DRAIN_TIMEOUT_MS + 5 s', async (t) => {
  const chaos = await startChaosStack({
    services: [
      { name: 'api', app: 'api' },
      { name: 'io-consumer', app: 'io-consumer' },
      { name: 'compute', app: 'compute', env: { EXECUTION_MODEL: 'worker-threads' } },
    ],
    env: { DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS) },
  });
  t.after(() => chaos.stop());

  await chaos.client.submitMany([
    ...Array.from({ length: 8 }, () => ({ task: 'io.sleep', payload: { ms: 60_000 } })),
    ...Array.from({ length: 2 }, () => ({ task: 'diag.spin', payload: { ms: 60_000 } })),
  ]);
  await eventually(async () => {
    const lanes = await chaos.client.queues();
    const active = (name: string) => lanes.find((lane) => lane.lane === name)?.active ?? 0;
    return active('io') === 8 && active('cpu') === 2;
  }, 'every job to be active');
  await chaos.redis.halt('SIGKILL');
  await delay(2_000);
  const giveUpMs = EXIT_BOUND_MS + 4_000;
  const exits = await signalAndTimeExits(
    CONSUMERS.map((name) => chaos.service(name)),
    'SIGTERM',
    giveUpMs,
  );
  printFigure(
    `SIGTERM during a Redis outage (jobs active, drain ${seconds(DRAIN_TIMEOUT_MS)}): ` +
      `${exits.map((exit) => describeExit(exit, giveUpMs)).join(', ')} (bound ${seconds(EXIT_BOUND_MS)})`,
  );

  for (const exit of exits) {
    assert.ok(exit.exitMs !== undefined && exit.exitMs <= EXIT_BOUND_MS, describeExit(exit, giveUpMs));
  }
});
