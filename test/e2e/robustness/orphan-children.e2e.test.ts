import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, waitUntilRunning } from '../../helpers/e2e-stack';
import { isRunning, startRobustnessStack, type RobustnessStack } from './robustness-stack';

/** "Within a few seconds" of the compute's death. */
const GONE_WITHIN_MS = 5_000;

/**
 * SIGKILL a compute of the processes model mid-job: no shutdown hook runs, so only the children's own
 * launch (setpriv's parent-death signal) or their own checks can end them.
 */
describe('children die with their compute', { timeout: 120_000 }, () => {
  let e2e: RobustnessStack;
  before(async () => {
    e2e = await startRobustnessStack({
      services: [
        { name: 'api', app: 'api' },
        { name: 'compute', app: 'compute', env: { LANE: 'cpu', EXECUTION_MODEL: 'processes' } },
        {
          // No setpriv on its PATH (only node's directory): children fall back to watching their parent.
          name: 'compute-without-setpriv',
          app: 'compute',
          env: { LANE: 'cpu-fallback', EXECUTION_MODEL: 'processes', PATH: path.dirname(process.execPath) },
        },
      ],
    });
  });
  after(() => e2e?.stop());

  async function killComputeMidJob(service: string, lane: string, job: { task: string; payload: unknown }) {
    const accepted = await e2e.client.submit({ ...job, lane, timeoutMs: 120_000 });
    const running = await waitUntilRunning(e2e.client, accepted.id);
    const childPid = running.execution?.pid ?? -1;
    const compute = e2e.service(service);
    assert.notEqual(childPid, compute.pid);
    assert.ok(isRunning(childPid), `child ${childPid} runs the job`);
    const killedAt = performance.now();
    compute.process.child.kill('SIGKILL');
    await eventually(() => !isRunning(childPid) || undefined, `child ${childPid} to exit`, GONE_WITHIN_MS);
    console.log(
      `${service}: child ${childPid} gone ${Math.round(performance.now() - killedAt)} ms after SIGKILL`,
    );
  }

  it('a child in a loop that never yields dies at once (setpriv --pdeathsig)', async () => {
    await killComputeMidJob('compute', 'cpu', { task: 'diag.crash', payload: { mode: 'hang' } });
  });

  it('without setpriv, a child busy in a long cpu job dies at its next progress report', async () => {
    // 30 s of spinning that reports progress about every 300 ms: without its check it would live on.
    await killComputeMidJob('compute-without-setpriv', 'cpu-fallback', {
      task: 'diag.spin',
      payload: { ms: 30_000 },
    });
  });
});
