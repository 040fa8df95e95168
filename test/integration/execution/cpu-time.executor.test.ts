import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { after, describe, it } from 'node:test';
import type { ExecutionModel } from '@switchyard/contracts';
import { failedRunCpuMs, type ExecutionOutcome, type Executor } from '@switchyard/execution';
import { request, testExecutor } from './execution-test-support';

const MODELS: ExecutionModel[] = ['event-loop', 'inline', 'worker-threads', 'processes'];

/** Busy-waits this thread for `ms` of wall time. */
function spinHere(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

function cpuOf(outcome: ExecutionOutcome): number {
  assert.ok(outcome.cpuMs !== undefined, 'the outcome carries cpuMs');
  return outcome.cpuMs;
}

function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1_000;
}

describe('CPU time per run (cpuMs)', { timeout: 60_000 }, () => {
  const executors = new Map<ExecutionModel, Executor>(MODELS.map((model) => [model, testExecutor(model)]));
  after(() => Promise.all([...executors.values()].map((executor) => executor.close())));
  const executor = (model: ExecutionModel) => executors.get(model) as Executor;

  for (const model of MODELS) {
    it(`${model}: cpu.primes uses some CPU, and no more than the cores could give over its run`, async () => {
      const outcome = await executor(model).run(...request('cpu.primes', { limit: 3_000_000 }));
      assert.deepEqual(outcome.result, { limit: 3_000_000, count: 216_816 });
      const cpuMs = cpuOf(outcome);
      const runMs = outcome.finishedAt - outcome.startedAt;
      assert.ok(cpuMs > 0, `cpuMs ${cpuMs}`);
      // Epoch ms are whole: 1 ms of slack on the wall clock.
      assert.ok(cpuMs <= (runMs + 1) * availableParallelism(), `cpuMs ${cpuMs}, runMs ${runMs}`);
    });
  }

  for (const model of MODELS) {
    it(`${model}: a run whose handler throws carries its cpuMs on the error; a timed-out one carries none`, async () => {
      const thrown = await executor(model)
        .run(...request('diag.crash', { mode: 'throw' }))
        .then(
          () => assert.fail('diag.crash resolved'),
          (error: unknown) => error,
        );
      assert.equal((thrown as Error).name, 'DiagnosticCrashError');
      const cpuMs = failedRunCpuMs(thrown);
      assert.ok(cpuMs !== undefined && cpuMs >= 0, `cpuMs ${cpuMs} on the task's own error`);
      const timedOut = await executor(model)
        .run(...request('io.sleep', { ms: 300 }, { timeoutMs: 50 }))
        .then(
          () => assert.fail('io.sleep resolved past its timeout'),
          (error: unknown) => error,
        );
      assert.equal((timedOut as Error).name, 'JobTimeoutError');
      assert.equal(failedRunCpuMs(timedOut), undefined, 'ended from outside: nothing measured');
    });
  }

  it("worker-threads: a thread's cpuMs is its own, not the CPU this main thread burns meanwhile", async () => {
    const running = executor('worker-threads').run(...request('io.sleep', { ms: 400 }));
    // Let the thread start its sleep, then keep this thread busy for most of it.
    await new Promise((resolve) => setTimeout(resolve, 50));
    spinHere(250);
    const cpuMs = cpuOf(await running);
    assert.ok(cpuMs < 100, `the sleeping thread reports ${cpuMs} ms, not the main thread's 250 ms spin`);
  });

  it('event-loop: an io.sleep reports a sliver of its run time', async () => {
    const outcome = await executor('event-loop').run(...request('io.sleep', { ms: 1_000 }));
    const runMs = outcome.finishedAt - outcome.startedAt;
    assert.ok(cpuOf(outcome) < runMs / 10, `cpuMs ${outcome.cpuMs} of runMs ${runMs}`);
  });

  it("event-loop: concurrent runs share the loop's CPU, never counting it twice", async () => {
    const before = processCpuMs();
    const outcomes = await Promise.all([
      executor('event-loop').run(...request('cpu.primes', { limit: 300_000 })),
      ...Array.from({ length: 20 }, () => executor('event-loop').run(...request('io.sleep', { ms: 200 }))),
    ]);
    const loopMs = processCpuMs() - before;
    const charged = outcomes.reduce((sum, outcome) => sum + cpuOf(outcome), 0);
    assert.ok(charged > 0, 'the runs were charged some CPU');
    // Each run measured alone over its span would charge the primes' CPU to all 21 runs.
    assert.ok(charged <= loopMs + 0.01, `charged ${charged} ms, the process used ${loopMs} ms`);
  });

  it('event-loop: a CPU task beside io runs keeps its own cost (its synchronous part is not shared out)', async () => {
    // Measured alone first, then started while 100 io.sleep runs are in flight: shared out equally, its
    // cost would go mostly to them (a CPU/wall ratio that `profile: "auto"` reads as an io task).
    await executor('event-loop').run(...request('cpu.primes', { limit: 10_000_000 })); // compiled by V8 now
    const alone = cpuOf(await executor('event-loop').run(...request('cpu.primes', { limit: 10_000_000 })));
    const sleepers = Array.from({ length: 100 }, () =>
      executor('event-loop').run(...request('io.sleep', { ms: 300 })),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const primes = await executor('event-loop').run(...request('cpu.primes', { limit: 10_000_000 }));
    await Promise.all(sleepers);
    const beside = cpuOf(primes);
    // Shared out among the 101 runs in flight, it would keep about a hundredth of its cost.
    assert.ok(beside >= alone / 2, `cpu.primes alone ${alone} ms, beside 100 sleepers ${beside} ms`);
  });
});
