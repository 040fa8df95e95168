import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JobCancelledError } from '@switchyard/contracts';
import { createTaskCatalog } from '@switchyard/tasks';
import { taskContext } from './task-test-context';

const sleep = createTaskCatalog({ httpAllowedHosts: [], diagnosticTasks: false }).get('io.sleep');

describe('io.sleep', { timeout: 5_000 }, () => {
  it('waits at least the asked time', async () => {
    const started = performance.now();
    assert.deepEqual(await sleep.handler({ ms: 50 }, taskContext()), { sleptMs: 50 });
    assert.ok(performance.now() - started >= 49);
  });

  it('rejects with the signal reason when aborted, long before the sleep ends', async () => {
    const controller = new AbortController();
    const cancelled = new JobCancelledError('job-1');
    setTimeout(() => controller.abort(cancelled), 20);
    await assert.rejects(sleep.handler({ ms: 60_000 }, taskContext(controller.signal)), cancelled);
  });

  it('refuses sleeps over five minutes', () => {
    assert.equal(sleep.payloadSchema.safeParse({ ms: 300_001 }).success, false);
  });
});
