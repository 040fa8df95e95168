import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ExecutorClosedError } from '@switchyard/execution';
import { JobCancelledError, JobTimeoutError } from '@switchyard/contracts';
import { cancelOnceStarted, request, testExecutor } from './execution-test-support';

describe('event-loop executor', { timeout: 20_000 }, () => {
  const executor = testExecutor('event-loop');
  after(() => executor.close());

  it('runs cpu.primes on this thread of this process', async () => {
    const starts: unknown[] = [];
    const outcome = await executor.run(
      ...request('cpu.primes', { limit: 1_000_000 }, { onStart: (where) => starts.push(where) }),
    );
    assert.deepEqual(outcome.result, { limit: 1_000_000, count: 78_498 });
    assert.deepEqual(outcome.placement, { pid: process.pid, threadId: 0 });
    assert.deepEqual(starts, [outcome.placement]);
    assert.ok(outcome.finishedAt >= outcome.startedAt);
  });

  it('interleaves io.sleep jobs on one event loop', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, () => executor.run(...request('io.sleep', { ms: 300 }))),
    );
    assert.equal(outcomes.length, 50);
    // All 50 were in flight together: each started before the first one finished.
    const firstFinish = Math.min(...outcomes.map((outcome) => outcome.finishedAt));
    assert.ok(outcomes.every((outcome) => outcome.startedAt <= firstFinish));
  });

  it('cancels a running io.sleep: the handler sees its signal and the run rejects with JobCancelledError', async () => {
    const { error } = await cancelOnceStarted(executor, 'io.sleep', { ms: 20_000 });
    assert.ok(error instanceof JobCancelledError, String(error));
    assert.equal(executor.stats().busy, 0);
  });

  it('times out a running io.sleep with JobTimeoutError', async () => {
    await assert.rejects(
      executor.run(...request('io.sleep', { ms: 20_000 }, { timeoutMs: 200 })),
      JobTimeoutError,
    );
    const next = await executor.run(...request('io.sleep', { ms: 1 }));
    assert.deepEqual(next.result, { sleptMs: 1 });
  });

  it('fails a run that blocked the loop past its timeout with JobTimeoutError, not completed', async () => {
    // diag.spin never yields, so the timeout timer cannot fire before it returns (cpu.primes on the io lane).
    const started = performance.now();
    await assert.rejects(
      executor.run(...request('diag.spin', { ms: 500 }, { timeoutMs: 100 })),
      (error: unknown) => error instanceof JobTimeoutError && /timeout of 100 ms/.test(error.message),
    );
    assert.ok(performance.now() - started >= 500, 'the handler ran to its end: nothing can interrupt it');
    const next = await executor.run(...request('diag.spin', { ms: 10 }));
    assert.equal((next.result as { spunMs: number }).spunMs, 10, 'a run within its timeout completes');
  });

  it("fails a throwing task with the task's error, and refuses diag.crash exit instead of ending the consumer", async () => {
    await assert.rejects(executor.run(...request('diag.crash', { mode: 'throw' })), {
      name: 'DiagnosticCrashError',
      message: /failed on purpose/,
    });
    // Each would end or wedge this process: refused here, run on worker-threads or processes.
    for (const mode of ['exit', 'heap', 'hang']) {
      await assert.rejects(executor.run(...request('diag.crash', { mode })), {
        name: 'DiagnosticCrashError',
        message: new RegExp(`refused mode '${mode}'`),
      });
    }
    assert.deepEqual((await executor.run(...request('cpu.primes', { limit: 100 }))).result, {
      limit: 100,
      count: 25,
    });
  });

  it('rejects an unknown task and a bad payload without running anything', async () => {
    await assert.rejects(executor.run(...request('cpu.nope', {})), { name: 'UnknownTaskError' });
    await assert.rejects(executor.run(...request('cpu.primes', { limit: -5 })), {
      name: 'InvalidTaskPayloadError',
    });
  });

  it('refuses runs once closed, and close() twice is safe', async () => {
    const stats = executor.stats();
    assert.equal(stats.model, 'event-loop');
    assert.ok(stats.completed >= 3 && stats.failed >= 4);
    await executor.close();
    await executor.close();
    await assert.rejects(executor.run(...request('io.sleep', { ms: 1 })), ExecutorClosedError);
  });
});
