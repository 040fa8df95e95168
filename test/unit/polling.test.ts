import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pollUntil, PollTimeoutError } from '@switchyard/polling';

describe('pollUntil, the one poll-until-deadline loop', () => {
  it('returns the first value that is neither undefined nor false', async () => {
    let calls = 0;
    const value = await pollUntil(() => (++calls < 3 ? (calls === 1 ? undefined : false) : { calls }), {
      timeoutMs: 1_000,
      intervalMs: 1,
    });
    assert.deepEqual(value, { calls: 3 });
  });

  it('gives up with PollTimeoutError naming what it waited for and how long', async () => {
    await assert.rejects(
      pollUntil(() => undefined, { timeoutMs: 30, intervalMs: 5, what: 'job 42 to finish' }),
      (error: unknown) =>
        error instanceof PollTimeoutError && /30 ms waiting for job 42 to finish/.test(error.message),
    );
  });

  it("lets the caller's own error replace the timeout", async () => {
    await assert.rejects(
      pollUntil(() => undefined, { timeoutMs: 10, intervalMs: 2, onTimeout: () => new RangeError('mine') }),
      RangeError,
    );
  });

  it('lets an error thrown by the probe end the wait', async () => {
    await assert.rejects(
      pollUntil(
        () => {
          throw new TypeError('probe broke');
        },
        { timeoutMs: 1_000 },
      ),
      /probe broke/,
    );
  });

  it('rejects with the signal reason when aborted during a long pause', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stopped by the caller')), 20);
    const started = Date.now();
    await assert.rejects(
      pollUntil(() => undefined, { timeoutMs: 60_000, intervalMs: 30_000, signal: controller.signal }),
      /stopped by the caller/,
    );
    assert.ok(Date.now() - started < 10_000, 'the pause did not run to its end');
  });
});
