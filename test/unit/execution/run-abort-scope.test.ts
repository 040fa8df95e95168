import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JobCancelledError, JobTimeoutError } from '@switchyard/contracts';
import { RunAbortScope } from '../../../libs/execution/src/run-abort-scope';

const never = new Promise<never>(() => undefined);

/** How the event-loop executor waits for a run: the promise `settle`'s callbacks settle. */
function raced<T>(scope: RunAbortScope, running: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => scope.settle(running, resolve, reject));
}

/**
 * `settle` is how the event-loop executor stops waiting for a handler that ignores its signal: the run
 * must reject at the abort, whatever the handler does, and the handler's late failure must go nowhere.
 */
describe('RunAbortScope.settle', () => {
  it('rejects with JobTimeoutError when the timeout passes, though the run never settles', async () => {
    const scope = new RunAbortScope({ jobId: 'job-1', timeoutMs: 50 });
    await assert.rejects(raced(scope, never), JobTimeoutError);
    assert.ok(scope.signal.aborted);
    scope.dispose();
  });

  it('rejects with JobCancelledError when the caller aborts, and a late failure of the run is dropped', async () => {
    const external = new AbortController();
    const scope = new RunAbortScope({ jobId: 'job-2', timeoutMs: 60_000 }, external.signal);
    let failLate: (error: Error) => void = () => undefined;
    const running = new Promise<never>((_, reject) => (failLate = reject));
    const settled = raced(scope, running);
    external.abort(new JobCancelledError('job-2'));
    await assert.rejects(settled, (error: unknown) => error instanceof JobCancelledError);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    failLate(new Error('the handler failed after its run was cancelled'));
    await new Promise((resolve) => setImmediate(resolve));
    process.off('unhandledRejection', onUnhandled);
    assert.deepEqual(unhandled, []);
    scope.dispose();
  });

  it('settles as the run does when it ends first, and an abort after it calls back nothing', async () => {
    const scope = new RunAbortScope({ jobId: 'job-3', timeoutMs: 60_000 });
    const calls: string[] = [];
    scope.settle(
      Promise.resolve('done'),
      (value) => calls.push(value),
      () => calls.push('error'),
    );
    await new Promise((resolve) => setImmediate(resolve));
    scope.timeOut();
    assert.deepEqual(calls, ['done'], 'one call back, the value');
    await assert.rejects(
      raced(new RunAbortScope({ jobId: 'job-4', timeoutMs: 60_000 }), Promise.reject(new RangeError('bad'))),
      RangeError,
    );
    scope.dispose();
  });

  it('rejects at once when the caller aborted before the run started', async () => {
    const external = new AbortController();
    external.abort(new JobCancelledError('job-5'));
    const scope = new RunAbortScope({ jobId: 'job-5', timeoutMs: 60_000 }, external.signal);
    await assert.rejects(raced(scope, never), JobCancelledError);
    scope.dispose();
  });

  it("with the caller's controller handed over: a timeout aborts that controller, a cancel on it rejects", async () => {
    const timedOut = new AbortController();
    const first = new RunAbortScope({ jobId: 'job-6', timeoutMs: 50 }, timedOut.signal, timedOut);
    assert.equal(first.signal, timedOut.signal, 'no second signal');
    await assert.rejects(raced(first, never), JobTimeoutError);
    assert.ok(timedOut.signal.reason instanceof JobTimeoutError, "the caller's controller says why");
    first.dispose();

    const cancelled = new AbortController();
    const second = new RunAbortScope({ jobId: 'job-7', timeoutMs: 60_000 }, cancelled.signal, cancelled);
    const settled = raced(second, never);
    cancelled.abort(new JobCancelledError('job-7'));
    await assert.rejects(settled, JobCancelledError);
    second.timeOut();
    assert.ok(cancelled.signal.reason instanceof JobCancelledError, 'a later timeout changes nothing');
    second.dispose();
  });
});
