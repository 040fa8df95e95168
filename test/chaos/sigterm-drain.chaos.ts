import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { test } from 'node:test';
import type { JobRequest } from '@switchyard/client';
import { consumerStats } from '../helpers/e2e-stack';
import { pollUntil } from '@switchyard/polling';
import { startChaosStack } from './support/chaos-stack';
import { describeExit, exitedCleanly, signalAndTimeExits } from './support/consumer-exit';
import { printFigure, seconds } from './support/figure';
import { settleJobs } from './support/job-outcomes';
import { readLaneEvents } from './support/lane-events';

const DRAIN_TIMEOUT_MS = 3_000;
/** The bound for a consumer's exit after SIGTERM. */
const EXIT_BOUND_MS = DRAIN_TIMEOUT_MS + 5_000;
const IO_CONCURRENCY = 64;
const CONSUMERS = ['io-consumer', 'compute'];

// Both paths of a drain are exercised: io.sleep jobs of 0.1–4 s mostly finish within the 3 s drain,
// and two 8 s spins that hold both compute threads cannot, so they must be put back in the queue.
// A job left active without a lock instead would be found by BullMQ's stalled check (a `stalled`
// event) and could only complete after it: "all completed, 0 stalled" rules that out.
test('SIGTERM io-consumer and compute mid-run: active jobs drain or are requeued, 0 stalled', async (t) => {
  const chaos = await startChaosStack({
    services: [
      { name: 'api', app: 'api' },
      { name: 'io-consumer', app: 'io-consumer', env: { IO_CONCURRENCY: String(IO_CONCURRENCY) } },
      { name: 'compute', app: 'compute', env: { EXECUTION_MODEL: 'worker-threads' } },
    ],
    env: { DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS), POOL_SIZE: '2' },
  });
  t.after(() => chaos.stop());

  const jobs: JobRequest[] = [
    { task: 'diag.spin', payload: { ms: 8_000 } },
    { task: 'diag.spin', payload: { ms: 8_000 } },
    ...Array.from({ length: 100 }, () => ({ task: 'diag.spin', payload: { ms: 25 } })),
    ...Array.from({ length: 400 }, (_, index) => ({
      task: 'io.sleep',
      payload: { ms: 100 + ((index * 53) % 3_900) },
    })),
  ];
  const ids = await chaos.client.submitMany(jobs);
  await pollUntil(
    async () => {
      const lanes = await chaos.client.queues();
      const active = (name: string) => lanes.find((lane) => lane.lane === name)?.active ?? 0;
      return active('io') >= IO_CONCURRENCY / 2 && active('cpu') === 2;
    },
    { timeoutMs: 30_000, what: 'both lanes busy before the SIGTERM' },
  );
  await delay(500); // the spins are past their start, inside their threads
  const consumers = CONSUMERS.map((name) => chaos.service(name));
  // Two views of "active": the jobs the consumers run, and the jobs BullMQ holds as active (fetched,
  // perhaps not yet started on a starved machine). Either may be put back; the larger bounds the requeues.
  const [stats, lanes] = await Promise.all([
    Promise.all(consumers.map(consumerStats)),
    chaos.client.queues(),
  ]);
  const activeAtSigterm = Math.max(
    stats.reduce((sum, consumer) => sum + consumer.activeJobs, 0),
    lanes.reduce((sum, lane) => sum + lane.active, 0),
  );
  const giveUpMs = EXIT_BOUND_MS + 10_000;
  const exits = await signalAndTimeExits(consumers, 'SIGTERM', giveUpMs);
  await Promise.all(CONSUMERS.map((name) => chaos.restart(name)));

  const outcomes = await settleJobs(chaos.client, ids, 120_000);
  const events = (
    await Promise.all(['io', 'cpu'].map((lane) => readLaneEvents(chaos.redis.url, chaos.stack.prefix, lane)))
  ).flat();
  const stalled = events.filter((event) => event.event === 'stalled').length;
  const requeued =
    events.filter((event) => event.event === 'waiting' && event.prev === 'active').length - stalled;
  printFigure(
    `SIGTERM io-consumer+compute mid-run: ${outcomes.count('completed')}/${ids.length} completed, ${stalled} stalled; ` +
      `${activeAtSigterm} active at SIGTERM, ${requeued} put back in the queue, the rest finished in the drain; ` +
      `${exits.map((exit) => describeExit(exit, giveUpMs)).join(', ')} (bound ${seconds(EXIT_BOUND_MS)})`,
  );

  assert.equal(stalled, 0, 'no job was left active for the stalled check to find');
  assert.equal(outcomes.count('completed'), ids.length, 'every job completed after the restart');
  assert.ok(requeued >= 2, 'the spins that outlast the drain were put back in the queue');
  assert.ok(requeued <= activeAtSigterm, 'only jobs active at SIGTERM were put back');
  for (const exit of exits) {
    assert.ok(exit.exitMs !== undefined && exit.exitMs <= EXIT_BOUND_MS, describeExit(exit, giveUpMs));
    assert.ok(exitedCleanly(exit), `${exit.name} exits cleanly: ${describeExit(exit, giveUpMs)}`);
  }
});
