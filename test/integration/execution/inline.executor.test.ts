import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { JobCancelledError, JobTimeoutError } from '@switchyard/contracts';
import { cancelOnceStarted, request, testExecutor } from './execution-test-support';

describe('inline executor (the blocking baseline)', { timeout: 20_000 }, () => {
  const executor = testExecutor('inline');
  after(() => executor.close());

  it('runs cpu.primes on the main thread of this process', async () => {
    const outcome = await executor.run(...request('cpu.primes', { limit: 1_000_000 }));
    assert.deepEqual(outcome.result, { limit: 1_000_000, count: 78_498 });
    assert.deepEqual(outcome.placement, { pid: process.pid, threadId: 0 });
  });

  it('blocks the event loop: a timer due during the job only fires after the handler returned', async () => {
    let timerFiredAt = 0;
    setTimeout(() => (timerFiredAt = Date.now()), 10);
    const outcome = await executor.run(...request('diag.spin', { ms: 300 }));
    assert.ok(timerFiredAt > 0, 'the timer fired before the run settled');
    assert.ok(timerFiredAt >= outcome.finishedAt, 'the timer waited for the handler');
  });

  it('can only cancel after the handler returns: the whole spin runs, then JobCancelledError', async () => {
    const started = performance.now();
    const { error } = await cancelOnceStarted(executor, 'diag.spin', { ms: 600 }, 10);
    assert.ok(error instanceof JobCancelledError, String(error));
    assert.ok(performance.now() - started >= 600, 'the handler ran to its end');
  });

  it('fails a job that overran its timeout with JobTimeoutError once it returns', async () => {
    await assert.rejects(
      executor.run(...request('diag.spin', { ms: 400 }, { timeoutMs: 100 })),
      JobTimeoutError,
    );
    assert.deepEqual((await executor.run(...request('cpu.primes', { limit: 10 }))).result, {
      limit: 10,
      count: 4,
    });
  });

  it("fails a throwing task with the task's error and refuses diag.crash exit", async () => {
    await assert.rejects(executor.run(...request('diag.crash', { mode: 'throw' })), {
      name: 'DiagnosticCrashError',
    });
    // Each would end or wedge this process: refused here, run on worker-threads or processes.
    for (const mode of ['exit', 'heap', 'hang']) {
      await assert.rejects(executor.run(...request('diag.crash', { mode })), {
        name: 'DiagnosticCrashError',
        message: new RegExp(`refused mode '${mode}'`),
      });
    }
    assert.equal(executor.stats().model, 'inline');
  });

  it('close() twice is safe', async () => {
    await executor.close();
    await executor.close();
  });
});
