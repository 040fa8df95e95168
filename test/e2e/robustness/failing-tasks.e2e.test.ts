import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { JobRequest } from '@switchyard/client';
import type { JobView } from '@switchyard/contracts';
import type { StackServiceSpec } from '@switchyard/local-stack';
import { consumerStats, eventually } from '../../helpers/e2e-stack';
import { startRobustnessStack, type RobustnessStack } from './robustness-stack';

/**
 * Whether a model can stop a task that never returns, exits or exhausts its heap without losing the
 * consumer. Pools can (the thread or child goes, the pool replaces it). The event loop and inline
 * cannot: such a task would end or wedge the consumer itself (see createExecutor for what happens
 * then), so `diag.crash` refuses those modes there, and their runaway is a spin that overruns its
 * timeout, which fails with JobTimeoutError once it returns.
 */
const MODELS = [
  { model: 'event-loop', app: 'io-consumer', lane: 'io', pool: false },
  { model: 'inline', app: 'compute', lane: 'cpu-inline', pool: false },
  { model: 'worker-threads', app: 'compute', lane: 'cpu', pool: true },
  { model: 'processes', app: 'compute', lane: 'cpu-processes', pool: true },
] as const;

type Model = (typeof MODELS)[number];

interface FailingTask {
  what: string;
  request(model: Model): JobRequest;
  /** The error the job must fail with. */
  expect(model: Model): { name: string; message: RegExp };
  /** How long the failing attempt may run: its timeout, or on the consumer's thread until it returns. */
  runsAtMostMs(model: Model, timeoutMs: number): number;
}

const refused = (mode: string) => ({
  name: 'DiagnosticCrashError',
  message: new RegExp(`refused mode '${mode}'`),
});

const FAILING_TASKS: FailingTask[] = [
  {
    what: 'a runaway (a loop that never yields)',
    request: ({ pool, lane }) =>
      pool
        ? { task: 'diag.crash', payload: { mode: 'hang' }, lane, timeoutMs: 1_000 }
        : { task: 'diag.spin', payload: { ms: 1_500 }, lane, timeoutMs: 300 },
    expect: ({ pool }) => ({
      name: 'JobTimeoutError',
      message: new RegExp(`timeout of ${pool ? 1_000 : 300} ms`),
    }),
    // Nothing interrupts a loop on the consumer's own thread: it is judged when it returns.
    runsAtMostMs: ({ pool }, timeoutMs) => (pool ? timeoutMs : 1_500),
  },
  {
    what: 'a throwing task',
    request: ({ lane }) => ({ task: 'diag.crash', payload: { mode: 'throw' }, lane }),
    expect: () => ({ name: 'DiagnosticCrashError', message: /failed on purpose/ }),
    runsAtMostMs: (_model, timeoutMs) => timeoutMs,
  },
  {
    what: 'a task calling process.exit',
    request: ({ lane }) => ({ task: 'diag.crash', payload: { mode: 'exit' }, lane }),
    expect: ({ pool }) => (pool ? { name: 'WorkerCrashedError', message: /exit/ } : refused('exit')),
    runsAtMostMs: (_model, timeoutMs) => timeoutMs,
  },
  {
    what: 'a task exhausting its heap',
    request: ({ lane }) => ({ task: 'diag.crash', payload: { mode: 'heap' }, lane }),
    expect: ({ pool }) =>
      pool ? { name: 'WorkerCrashedError', message: /memory limit|SIGABRT|code 134/ } : refused('heap'),
    runsAtMostMs: (_model, timeoutMs) => timeoutMs,
  },
];

/** Cheap jobs that must all succeed on a lane after a failure there. */
const NEXT_JOBS = 100;
/** Time a failed job may take past its timeout to be reported (a shared, noisy machine). */
const REPORT_SLACK_MS = 5_000;

function nextJob(model: Model): JobRequest {
  return model.lane === 'io'
    ? { task: 'io.sleep', payload: { ms: 1 }, lane: model.lane }
    : { task: 'cpu.primes', payload: { limit: 1_000 }, lane: model.lane };
}

/** The consumer serving a model's lane; the io-consumer's model is fixed (event-loop). */
function serviceOf({ model, app, lane }: Model): StackServiceSpec {
  const env: Record<string, string> = { LANE: lane };
  if (app === 'compute') env.EXECUTION_MODEL = model;
  return { name: model, app, env };
}

describe(
  'failing tasks under each execution model: the job fails, the lane goes on',
  { timeout: 600_000 },
  () => {
    let e2e: RobustnessStack;
    before(async () => {
      e2e = await startRobustnessStack({
        // A small heap for every process, thread and child, so a heap bomb hits its limit in under a second.
        env: { NODE_OPTIONS: '--max-old-space-size=128' },
        services: [{ name: 'api', app: 'api' }, ...MODELS.map(serviceOf)],
      });
    });
    after(() => e2e?.stop());

    for (const model of MODELS) {
      for (const failing of FAILING_TASKS) {
        it(`${model.model}: ${failing.what} fails the job within its timeout, then ${NEXT_JOBS} jobs succeed`, async () => {
          const accepted = await e2e.client.submit(failing.request(model));
          const view: JobView = await e2e.client.waitFor(accepted.id, 60_000);
          const expected = failing.expect(model);
          assert.equal(view.state, 'failed', JSON.stringify(view));
          assert.equal(view.error?.name, expected.name, view.error?.message);
          assert.match(view.error?.message ?? '', expected.message);
          const tookMs = Date.parse(view.finishedAt ?? '') - Date.parse(view.startedAt ?? '');
          const boundMs = failing.runsAtMostMs(model, view.timeoutMs) + REPORT_SLACK_MS;
          assert.ok(tookMs <= boundMs, `failed after ${tookMs} ms (timeout ${view.timeoutMs} ms)`);
          const consumer = e2e.service(model.model);
          assert.ok(consumer.process.child.exitCode === null, `the ${model.app} is still up`);
          // A pool replaces the thread or child it lost; the others run on the consumer's own thread.
          await eventually(
            async () =>
              (await consumerStats(consumer)).pool.workers.length === (model.pool ? 2 : 1) || undefined,
            'the pool back to full strength',
          );

          const ids = await e2e.client.submitMany(Array.from({ length: NEXT_JOBS }, () => nextJob(model)));
          const next = await e2e.client.waitForAll(ids, { timeoutMs: 120_000 });
          const states = next.map((job) => job.state);
          assert.deepEqual(
            states,
            ids.map(() => 'completed'),
            `after ${failing.what}`,
          );
        });
      }
    }
  },
);
