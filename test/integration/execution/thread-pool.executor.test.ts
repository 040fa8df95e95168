import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { pollUntil } from '@switchyard/polling';
import { JobCancelledError, JobTimeoutError, WorkerCrashedError } from '@switchyard/contracts';
import { ExecutorClosedError } from '@switchyard/execution';
import { POOL_SIZE, cancelOnceStarted, request, testExecutor } from './execution-test-support';

describe('worker-threads executor (piscina)', { timeout: 30_000 }, () => {
  const executor = testExecutor('worker-threads');
  after(() => executor.close());

  const threadIds = () => executor.stats().workers.map((worker) => worker.threadId);

  /** The pool is back to full strength and runs work on a thread of this process. */
  async function assertPoolRecovered(): Promise<void> {
    const outcome = await executor.run(...request('cpu.primes', { limit: 1_000 }));
    assert.deepEqual(outcome.result, { limit: 1_000, count: 168 });
    assert.equal(executor.stats().workers.length, POOL_SIZE);
  }

  it('runs cpu.primes on a pool thread of this process, with start and progress events', async () => {
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
    assert.equal(outcome.placement.pid, process.pid);
    assert.notEqual(outcome.placement.threadId, 0);
    assert.ok(threadIds().includes(outcome.placement.threadId));
    assert.deepEqual(starts, [outcome.placement]);
    // Progress comes over the thread's own port and the result over piscina's: two ports, no order
    // between them, so on a busy machine the last reports may land just after the result.
    await pollUntil(() => progress.length > 0, { timeoutMs: 5_000, what: 'progress events' });
    assert.ok(progress.every((p) => p >= 0 && p <= 100));
  });

  it('reports progress while a longer run goes on, not only with its reply', async () => {
    // Reports of a run's first interval wait for a later one (or the reply): a 400 ms spin reporting every
    // 20 ms must still be heard while it runs.
    const heard: number[] = [];
    let settled = false;
    const running = executor
      .run(...request('diag.spin', { ms: 400 }, { onProgress: (p) => heard.push(p) }))
      .finally(() => (settled = true));
    await pollUntil(() => heard.length > 0 || settled, { timeoutMs: 5_000, what: 'a progress event' });
    assert.equal(settled, false, 'the first progress event came before the run ended');
    await running;
    assert.ok(
      heard.every((p, i) => p > 0 && p <= 100 && (i === 0 || p >= heard[i - 1])),
      String(heard),
    );
  });

  it('runs POOL_SIZE jobs on distinct threads at once', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: POOL_SIZE }, () => executor.run(...request('diag.spin', { ms: 300 }))),
    );
    assert.equal(new Set(outcomes.map((outcome) => outcome.placement.threadId)).size, POOL_SIZE);
  });

  it('cancels a running 20 s spin by terminating its thread, then runs the next job', async () => {
    const { placement, error } = await cancelOnceStarted(executor, 'diag.spin', { ms: 20_000 });
    assert.ok(error instanceof JobCancelledError, String(error));
    assert.ok(!threadIds().includes(placement.threadId), 'the thread that ran the job is gone');
    await assertPoolRecovered();
  });

  it('times out a running spin with JobTimeoutError, terminating its thread', async () => {
    let threadId = -1;
    await assert.rejects(
      executor.run(
        ...request(
          'diag.spin',
          { ms: 20_000 },
          { timeoutMs: 300, onStart: (where) => (threadId = where.threadId) },
        ),
      ),
      JobTimeoutError,
    );
    assert.ok(threadId > 0 && !threadIds().includes(threadId));
    await assertPoolRecovered();
  });

  it("fails a throwing task with the task's own error name and message", async () => {
    await assert.rejects(executor.run(...request('diag.crash', { mode: 'throw' })), {
      name: 'DiagnosticCrashError',
      message: 'diag.crash failed on purpose (mode throw)',
    });
    await assertPoolRecovered();
  });

  it('reports where a throwing task ran before it rejects, every time', async () => {
    // The failure reply comes over piscina's port and the start event over the thread's own: a failure
    // that overtook its start event used to leave the consumer's failed attempt without a record.
    const runs = Array.from({ length: 100 }, async () => {
      const starts: number[] = [];
      const error = await executor
        .run(...request('diag.crash', { mode: 'throw' }, { onStart: (where) => starts.push(where.threadId) }))
        .then(
          () => assert.fail('diag.crash resolved'),
          (caught: unknown) => caught,
        );
      assert.equal((error as Error).name, 'DiagnosticCrashError');
      return starts;
    });
    for (const starts of await Promise.all(runs)) {
      assert.equal(starts.length, 1, 'one start per failed run, heard before the rejection');
      assert.ok(threadIds().includes(starts[0]));
    }
  });

  it('fails a task that exits its thread with WorkerCrashedError, and replaces the thread', async () => {
    await assert.rejects(executor.run(...request('diag.crash', { mode: 'exit' })), (error: unknown) => {
      assert.ok(error instanceof WorkerCrashedError, String(error));
      assert.match(error.message, /exited with code: 1/);
      return true;
    });
    await assertPoolRecovered();
  });

  it('fails a task that exhausts its heap with WorkerCrashedError: only its thread ends, and is replaced', async () => {
    let threadId = -1;
    await assert.rejects(
      executor.run(
        ...request('diag.crash', { mode: 'heap' }, { onStart: (where) => (threadId = where.threadId) }),
      ),
      (error: unknown) => {
        assert.ok(error instanceof WorkerCrashedError, String(error));
        assert.match(error.message, /memory limit/);
        return true;
      },
    );
    assert.ok(threadId > 0 && !threadIds().includes(threadId), 'the thread that ran the job is gone');
    await assertPoolRecovered();
  });

  it('times out a runaway (a loop that never yields) with JobTimeoutError, terminating its thread', async () => {
    let threadId = -1;
    await assert.rejects(
      executor.run(
        ...request(
          'diag.crash',
          { mode: 'hang' },
          { timeoutMs: 300, onStart: (where) => (threadId = where.threadId) },
        ),
      ),
      JobTimeoutError,
    );
    assert.ok(threadId > 0 && !threadIds().includes(threadId));
    await assertPoolRecovered();
  });

  it('counts runs and closes twice safely, leaving no thread', async () => {
    const stats = executor.stats();
    assert.equal(stats.model, 'worker-threads');
    assert.equal(stats.size, POOL_SIZE);
    assert.ok(stats.completed >= 7 && stats.failed >= 4);
    await Promise.all([executor.close(), executor.close()]);
    await executor.close();
    assert.deepEqual(executor.stats().workers, []);
    await assert.rejects(executor.run(...request('cpu.primes', { limit: 10 })), ExecutorClosedError);
  });
});
