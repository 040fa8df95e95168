import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JobCancelledError, JobTimeoutError } from '@switchyard/contracts';
import { RunAbortScope } from '../../../libs/execution/src/run-abort-scope';

const never = new Promise<never>(() => undefined);

/**
 * `race` is how the event-loop executor stops waiting for a handler that ignores its signal: the run
 * must reject at the abort, whatever the handler does, and the handler's late failure must go nowhere.
 */
describe('RunAbortScope.race', () => {
  it('rejects with JobTimeoutError when the timeout passes, though the run never settles', async () => {
    const scope = new RunAbortScope({ jobId: 'job-1', timeoutMs: 50 });
    await assert.rejects(scope.race(never), JobTimeoutError);
    assert.ok(scope.signal.aborted);
    scope.dispose();
  });

  it('rejects with JobCancelledError when the caller aborts, and a late failure of the run is dropped', async () => {
    const external = new AbortController();
    const scope = new RunAbortScope({ jobId: 'job-2', timeoutMs: 60_000 }, external.signal);
    let failLate: (error: Error) => void = () => undefined;
    const running = new Promise<never>((_, reject) => (failLate = reject));
    const raced = scope.race(running);
    external.abort(new JobCancelledError('job-2'));
    await assert.rejects(raced, (error: unknown) => error instanceof JobCancelledError);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    failLate(new Error('the handler failed after its run was cancelled'));
    await new Promise((resolve) => setImmediate(resolve));
    process.off('unhandledRejection', onUnhandled);
    assert.deepEqual(unhandled, []);
    scope.dispose();
  });

  it('settles as the run does when it ends first, and an abort after it changes nothing', async () => {
    const scope = new RunAbortScope({ jobId: 'job-3', timeoutMs: 60_000 });
    assert.equal(await scope.race(Promise.resolve('done')), 'done');
    scope.timeOut();
    await assert.rejects(
      new RunAbortScope({ jobId: 'job-4', timeoutMs: 60_000 }).race(Promise.reject(new RangeError('bad'))),
      RangeError,
    );
    scope.dispose();
  });

  it('rejects at once when the caller aborted before the run started', async () => {
    const external = new AbortController();
    external.abort(new JobCancelledError('job-5'));
    const scope = new RunAbortScope({ jobId: 'job-5', timeoutMs: 60_000 }, external.signal);
    await assert.rejects(scope.race(never), JobCancelledError);
    scope.dispose();
  });
});
