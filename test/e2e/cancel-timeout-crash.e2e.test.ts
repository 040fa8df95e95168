import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  consumerStats,
  eventually,
  isAlive,
  MODEL_LANES,
  startE2eStack,
  waitUntilRunning,
  type E2eStack,
} from '../helpers/e2e-stack';

// The api and the consumers are separate processes here, so every cancel below crosses a process
// boundary: BullMQ's worker-local cancellation alone could not do it.
describe('cancel, timeout and crash in every execution model', () => {
  let e2e: E2eStack;
  before(async () => {
    e2e = await startE2eStack();
  });
  after(() => e2e?.stop());

  it('cancelling a waiting (delayed) job removes it and reports cancelled', async () => {
    const accepted = await e2e.client.submit({ task: 'io.sleep', payload: { ms: 1 }, delayMs: 60_000 });
    assert.equal(accepted.state, 'delayed');
    assert.equal((await e2e.client.get(accepted.id)).state, 'delayed');
    const cancelled = await e2e.client.cancel(accepted.id);
    assert.equal(cancelled.state, 'cancelled');
    assert.equal((await e2e.client.get(accepted.id)).state, 'cancelled');
    const lanes = await e2e.client.queues();
    assert.equal(lanes.find((lane) => lane.lane === 'io')?.delayed, 0, 'removed from the queue');
  });

  it('cancelling an active io job aborts its handler on the event loop', async () => {
    const accepted = await e2e.client.submit({ task: 'io.sleep', payload: { ms: 60_000 } });
    await waitUntilRunning(e2e.client, accepted.id, { placement: false });
    const view = await e2e.client.cancel(accepted.id);
    assert.equal(view.state, 'cancelled');
    assert.match(view.error?.message ?? '', /cancelled/);
    assert.equal(
      (await consumerStats(e2e.service('io-consumer'))).activeJobs,
      0,
      'the consumer holds no job',
    );
  });

  it('cancelling an active worker-threads job terminates the thread running it', async () => {
    const accepted = await e2e.client.submit({
      task: 'diag.spin',
      payload: { ms: 30_000 },
      lane: MODEL_LANES['worker-threads'],
    });
    const running = await waitUntilRunning(e2e.client, accepted.id);
    const threadId = running.execution?.threadId;
    assert.ok(threadId && threadId > 0);
    const compute = e2e.compute('worker-threads');
    assert.ok(
      (await consumerStats(compute)).pool.workers.some((worker) => worker.threadId === threadId),
      'thread is live while it runs',
    );
    const view = await e2e.client.cancel(accepted.id);
    assert.equal(view.state, 'cancelled');
    await eventually(
      async () =>
        !(await consumerStats(compute)).pool.workers.some((worker) => worker.threadId === threadId) ||
        undefined,
      'the thread to be gone from the pool',
    );
    const next = await e2e.client.waitFor(
      (await e2e.client.submit({ task: 'cpu.primes', payload: { limit: 1000 } })).id,
    );
    assert.equal(next.state, 'completed', 'the pool replaced the thread and goes on');
  });

  it('cancelling an active processes job kills the child running it', async () => {
    const accepted = await e2e.client.submit({
      task: 'diag.spin',
      payload: { ms: 30_000 },
      lane: MODEL_LANES.processes,
    });
    const running = await waitUntilRunning(e2e.client, accepted.id);
    const childPid = running.execution?.pid ?? -1;
    assert.notEqual(childPid, e2e.compute('processes').pid);
    assert.ok(isAlive(childPid), 'the child runs the job');
    const view = await e2e.client.cancel(accepted.id);
    assert.equal(view.state, 'cancelled');
    await eventually(() => !isAlive(childPid) || undefined, `child ${childPid} to exit`);
    const next = await e2e.client.waitFor(
      (await e2e.client.submit({ task: 'cpu.primes', payload: { limit: 1000 }, lane: MODEL_LANES.processes }))
        .id,
    );
    assert.equal(next.state, 'completed');
    assert.notEqual(next.execution?.pid, childPid);
  });

  it('cancelling an inline job takes effect when it yields the event loop: it ends cancelled, not completed', async () => {
    // inline blocks the consumer's event loop: nothing can interrupt it mid-run (the anti-pattern).
    const accepted = await e2e.client.submit({
      task: 'diag.spin',
      payload: { ms: 1_500 },
      lane: MODEL_LANES.inline,
    });
    await waitUntilRunning(e2e.client, accepted.id, { placement: false });
    await e2e.client.cancel(accepted.id);
    const view = await e2e.client.waitFor(accepted.id);
    assert.equal(view.state, 'cancelled');
  });

  for (const [model, lane] of Object.entries(MODEL_LANES)) {
    it(`a job past its timeout fails with a timeout error under ${model}`, async () => {
      const spinMs = model === 'inline' ? 1_500 : 30_000;
      const accepted = await e2e.client.submit({
        task: 'diag.spin',
        payload: { ms: spinMs },
        lane,
        timeoutMs: 300,
      });
      const view = await e2e.client.waitFor(accepted.id, 40_000);
      assert.equal(view.state, 'failed');
      assert.equal(view.error?.name, 'JobTimeoutError');
      assert.match(view.error?.message ?? '', /timeout of 300 ms/);
      if (model === 'processes' && view.execution) {
        const pid = view.execution.pid;
        await eventually(() => !isAlive(pid) || undefined, 'the timed-out child to be killed');
      }
    });
  }

  it('a timed-out worker-threads job no longer occupies a thread', async () => {
    const accepted = await e2e.client.submit({
      task: 'diag.spin',
      payload: { ms: 30_000 },
      lane: 'cpu',
      timeoutMs: 1_000,
    });
    const running = await waitUntilRunning(e2e.client, accepted.id);
    const threadId = running.execution?.threadId;
    await e2e.client.waitFor(accepted.id);
    const compute = e2e.compute('worker-threads');
    await eventually(
      async () =>
        !(await consumerStats(compute)).pool.workers.some((worker) => worker.threadId === threadId) ||
        undefined,
      'the thread to be replaced',
    );
  });

  for (const model of ['worker-threads', 'processes'] as const) {
    it(`a task that exits its ${model === 'processes' ? 'child process' : 'thread'} fails clearly; compute stays up`, async () => {
      const lane = MODEL_LANES[model];
      const view = await e2e.client.waitFor(
        (await e2e.client.submit({ task: 'diag.crash', payload: { mode: 'exit' }, lane })).id,
      );
      assert.equal(view.state, 'failed');
      assert.equal(view.error?.name, 'WorkerCrashedError');
      assert.ok(isAlive(e2e.compute(model).pid), 'the compute process survives');
      const next = await e2e.client.waitFor(
        (await e2e.client.submit({ task: 'cpu.primes', payload: { limit: 1_000_000 }, lane })).id,
      );
      assert.equal((next.result as { count: number }).count, 78_498);
    });
  }

  it('a task that throws fails with its message, and is retried per its attempts', async () => {
    const view = await e2e.client.waitFor(
      (
        await e2e.client.submit({
          task: 'diag.crash',
          payload: { mode: 'throw' },
          attempts: 2,
          backoff: { type: 'fixed', delayMs: 10 },
        })
      ).id,
    );
    assert.equal(view.state, 'failed');
    assert.equal(view.attempts.made, 2);
    assert.equal(view.error?.attemptsMade, 2);
    assert.match(view.error?.message ?? '', /diag\.crash/);
  });
});
