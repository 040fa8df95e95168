import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { JobRequest } from '@switchyard/client';
import type { JobView } from '@switchyard/contracts';
import { eventually, startE2eStack, type E2eStack } from '../helpers/e2e-stack';

/** The default AUTO_ROUTING_MIN_SAMPLES, with room. */
const WARM_UP_JOBS = 30;
const IO_JOB: JobRequest = { task: 'io.sleep', payload: { ms: 50 }, profile: 'auto' };
const CPU_JOB: JobRequest = { task: 'cpu.primes', payload: { limit: 5_000_000 }, profile: 'auto' };

/**
 * `profile: "auto"` end to end, with the real apps and the default thresholds: the consumers measure each
 * completed attempt's CPU/wall ratio, the api routes by it once a task has enough samples.
 */
describe('profile "auto": routing by measured CPU ratio', () => {
  let e2e: E2eStack;
  before(async () => {
    e2e = await startE2eStack();
  });
  after(async () => {
    await e2e?.stop();
  });

  const submitAndRead = async (request: JobRequest): Promise<JobView> => {
    const accepted = await e2e.client.submit(request);
    return e2e.client.get(accepted.id);
  };

  it('before warm-up, an auto job goes to its task default profile, even for a cpu-only task', async () => {
    const io = await submitAndRead(IO_JOB);
    assert.deepEqual(io.routing, { profile: 'io', lane: 'io', reason: 'task-default' });
    const cpu = await submitAndRead(CPU_JOB);
    assert.deepEqual(cpu.routing, { profile: 'cpu', lane: 'cpu', reason: 'task-default' });
  });

  it('after warm-up, io.* jobs land on the io lane and cpu.* jobs on a cpu lane, routed as "measured"', async () => {
    const ids = await e2e.client.submitMany([
      ...Array.from({ length: WARM_UP_JOBS }, () => IO_JOB),
      ...Array.from({ length: WARM_UP_JOBS }, () => CPU_JOB),
    ]);
    const views = await e2e.client.waitForAll(ids, { timeoutMs: 60_000 });
    assert.ok(
      views.every((view) => view.state === 'completed'),
      'every warm-up job completed',
    );
    // The consumers flush their samples every second and the api reads them at most once a second.
    const measuredRouting = (request: JobRequest) =>
      eventually(async () => {
        const view = await submitAndRead(request);
        return view.routing.reason === 'measured' && view;
      }, `a ${request.task} job routed as measured`);
    const io = await measuredRouting(IO_JOB);
    assert.equal(io.lane, 'io');
    assert.equal(io.profile, 'io');
    assert.ok(
      io.routing.cpuRatio !== undefined && io.routing.cpuRatio < 0.05,
      `io.sleep ratio ${io.routing.cpuRatio}`,
    );
    const cpu = await measuredRouting(CPU_JOB);
    assert.equal(cpu.lane, 'cpu');
    assert.equal(cpu.profile, 'cpu');
    // A CPU task measures its share of a core, which a busy machine lowers (0.24 here at load 11.5 on 2
    // cores): what must hold is that it measures far above an io task, which mostly waits.
    const ratios = `cpu.primes ${cpu.routing.cpuRatio}, io.sleep ${io.routing.cpuRatio}`;
    assert.ok((cpu.routing.cpuRatio ?? 0) > 5 * io.routing.cpuRatio, ratios);
    const done = await e2e.client.waitFor(cpu.id);
    assert.equal(done.state, 'completed');
    assert.equal(done.execution?.model, 'worker-threads');
  });

  it('a task declaring auto as its default is measured without being asked; a batch is routed alike', async () => {
    const [byDefault, batched] = await e2e.client.submitBatch([
      { task: 'io.sleep', payload: { ms: 1 } },
      CPU_JOB,
    ]);
    const views = await Promise.all([e2e.client.get(byDefault.id), e2e.client.get(batched.id)]);
    assert.equal(views[0].routing.reason, 'measured');
    assert.equal(views[0].lane, 'io');
    assert.equal(views[1].routing.reason, 'measured');
    assert.equal(views[1].lane, 'cpu');
  });

  it('explicit profiles and lanes still win over measured routing', async () => {
    const explicit = await submitAndRead({ task: 'io.sleep', payload: { ms: 1 }, profile: 'io' });
    assert.equal(explicit.routing.reason, 'task-default');
    const override = await submitAndRead({ task: 'io.sleep', payload: { ms: 1 }, profile: 'cpu' });
    assert.deepEqual(override.routing, { profile: 'cpu', lane: 'cpu', reason: 'profile-override' });
    const lane = await submitAndRead({ ...CPU_JOB, lane: 'cpu-processes' });
    assert.deepEqual(lane.routing, { profile: 'cpu', lane: 'cpu-processes', reason: 'lane-explicit' });
  });
});
