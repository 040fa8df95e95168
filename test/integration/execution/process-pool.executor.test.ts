import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { JobCancelledError, JobTimeoutError, WorkerCrashedError } from '@switchyard/contracts';
import { ExecutorClosedError } from '@switchyard/execution';
import { POOL_SIZE, cancelOnceStarted, isAlive, request, testExecutor } from './execution-test-support';

describe('processes executor (child process pool)', { timeout: 30_000 }, () => {
  const executor = testExecutor('processes');
  after(() => executor.close());

  const childPids = () => executor.stats().workers.map((worker) => worker.pid);

  /** The pool is back to full strength and runs work in a child. */
  async function assertPoolRecovered(): Promise<void> {
    const outcome = await executor.run(...request('cpu.primes', { limit: 1_000 }));
    assert.deepEqual(outcome.result, { limit: 1_000, count: 168 });
    assert.notEqual(outcome.placement.pid, process.pid);
    assert.equal(executor.stats().workers.length, POOL_SIZE);
  }

  it('runs cpu.primes in a child process, with start and progress events', async () => {
    const starts: unknown[] = [];
    const progress: number[] = [];
    const outcome = await executor.run(
      ...request(
        'cpu.primes',
        { limit: 1_000_000 },
        { onStart: (where) => starts.push(where), onProgress: (p) => progress.push(p) },
      ),
    );
    assert.deepEqual(outcome.result, { limit: 1_000_000, count: 78_498 });
    assert.notEqual(outcome.placement.pid, process.pid);
    assert.equal(outcome.placement.threadId, 0);
    assert.ok(childPids().includes(outcome.placement.pid));
    assert.deepEqual(starts, [outcome.placement]);
    assert.ok(progress.length > 0);
  });

  it('queues jobs beyond the pool size and runs them all', async () => {
    // Every child serves once first: one still starting (slow on a busy machine) would leave the work to the others.
    for (let tries = 0; tries < 50; tries++) {
      const warm = await Promise.all(
        Array.from({ length: POOL_SIZE }, () => executor.run(...request('diag.spin', { ms: 50 }))),
      );
      if (new Set(warm.map((outcome) => outcome.placement.pid)).size === POOL_SIZE) break;
    }
    const runs = Array.from({ length: POOL_SIZE + 2 }, () =>
      executor.run(...request('diag.spin', { ms: 150 })),
    );
    assert.ok(executor.stats().queued >= 2, 'jobs beyond the pool size wait in the queue');
    const outcomes = await Promise.all(runs);
    assert.equal(new Set(outcomes.map((outcome) => outcome.placement.pid)).size, POOL_SIZE);
  });

  it('cancels a running 20 s spin by killing its child, then runs the next job', async () => {
    const { placement, error } = await cancelOnceStarted(executor, 'diag.spin', { ms: 20_000 });
    assert.ok(error instanceof JobCancelledError, String(error));
    assert.equal(isAlive(placement.pid), false, `child ${placement.pid} is gone`);
    assert.ok(!childPids().includes(placement.pid));
    await assertPoolRecovered();
  });

  it('times out a running spin with JobTimeoutError, killing its child', async () => {
    let pid = 0;
    await assert.rejects(
      executor.run(
        ...request('diag.spin', { ms: 20_000 }, { timeoutMs: 300, onStart: (where) => (pid = where.pid) }),
      ),
      JobTimeoutError,
    );
    assert.equal(isAlive(pid), false, `child ${pid} is gone`);
    await assertPoolRecovered();
  });

  it('cancels a queued job without touching any child', async () => {
    const busy = Array.from({ length: POOL_SIZE }, () => executor.run(...request('diag.spin', { ms: 300 })));
    const before = childPids();
    const controller = new AbortController();
    const queued = executor.run(...request('cpu.primes', { limit: 10 }, { signal: controller.signal }));
    controller.abort(new JobCancelledError('queued'));
    await assert.rejects(queued, JobCancelledError);
    await Promise.all(busy);
    assert.deepEqual(childPids().sort(), before.sort());
  });

  it("fails a throwing task with the task's own error name and message", async () => {
    await assert.rejects(executor.run(...request('diag.crash', { mode: 'throw' })), {
      name: 'DiagnosticCrashError',
      message: 'diag.crash failed on purpose (mode throw)',
    });
    await assertPoolRecovered();
  });

  it('fails a task that exits its child with WorkerCrashedError; this process stays up and the child is replaced', async () => {
    let pid = 0;
    await assert.rejects(
      executor.run(...request('diag.crash', { mode: 'exit' }, { onStart: (where) => (pid = where.pid) })),
      (error: unknown) => {
        assert.ok(error instanceof WorkerCrashedError, String(error));
        assert.match(error.message, new RegExp(`child process ${pid} exited with code 1`));
        return true;
      },
    );
    assert.equal(isAlive(pid), false);
    await assertPoolRecovered();
  });

  it('fails a task that exhausts its heap with WorkerCrashedError: only its child ends, and is replaced', async () => {
    let pid = 0;
    await assert.rejects(
      executor.run(...request('diag.crash', { mode: 'heap' }, { onStart: (where) => (pid = where.pid) })),
      (error: unknown) => {
        assert.ok(error instanceof WorkerCrashedError, String(error));
        // V8 aborts the process at its heap limit (--max-old-space-size).
        assert.match(
          error.message,
          new RegExp(`child process ${pid} (was killed by SIGABRT|exited with code 134)`),
        );
        return true;
      },
    );
    assert.equal(isAlive(pid), false);
    await assertPoolRecovered();
  });

  it('times out a runaway (a loop that never yields) with JobTimeoutError, killing its child', async () => {
    let pid = 0;
    await assert.rejects(
      executor.run(
        ...request('diag.crash', { mode: 'hang' }, { timeoutMs: 300, onStart: (where) => (pid = where.pid) }),
      ),
      JobTimeoutError,
    );
    assert.equal(isAlive(pid), false, `child ${pid} is gone`);
    await assertPoolRecovered();
  });

  it('closes twice safely and leaves no child behind', async () => {
    const pids = childPids();
    assert.equal(pids.length, POOL_SIZE);
    // Assert now: the run rejects while close() is being awaited.
    const running = assert.rejects(
      executor.run(...request('diag.spin', { ms: 20_000 })),
      ExecutorClosedError,
    );
    await Promise.all([executor.close(), executor.close()]);
    await executor.close();
    await running;
    for (const pid of pids) assert.equal(isAlive(pid), false, `child ${pid} is gone`);
    assert.deepEqual(executor.stats().workers, []);
    await assert.rejects(executor.run(...request('cpu.primes', { limit: 10 })), ExecutorClosedError);
  });
});
