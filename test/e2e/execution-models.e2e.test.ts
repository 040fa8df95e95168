import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { startDelayServer, type DelayServer } from '@switchyard/local-stack';
import { MODEL_LANES, startE2eStack, type ComputeModel, type E2eStack } from '../helpers/e2e-stack';

describe('jobs over REST, run by the real apps as separate processes', () => {
  let e2e: E2eStack;
  let server: DelayServer;
  before(async () => {
    server = await startDelayServer();
    // io.http may reach the delay server on loopback only because the test opens that one host:port.
    e2e = await startE2eStack([], {
      HTTP_ALLOWED_HOSTS: new URL(server.url).host,
      HTTP_ALLOWED_CIDRS: '127.0.0.1/32',
    });
  });
  after(async () => {
    await e2e?.stop();
    await server?.close();
  });

  for (const model of Object.keys(MODEL_LANES) as ComputeModel[]) {
    it(`cpu.primes {limit: 3e6} returns 216816 under ${model}, says where it ran and what CPU it used`, async () => {
      const accepted = await e2e.client.submit({
        task: 'cpu.primes',
        payload: { limit: 3_000_000 },
        lane: MODEL_LANES[model],
      });
      assert.equal(accepted.lane, MODEL_LANES[model]);
      assert.equal(accepted.profile, 'cpu');
      const view = await e2e.client.waitFor(accepted.id);
      assert.equal(view.state, 'completed', JSON.stringify(view.error));
      assert.equal((view.result as { count: number }).count, 216_816);
      assert.equal(view.routing.reason, 'lane-explicit');
      const compute = e2e.compute(model);
      const execution = view.execution;
      assert.ok(execution, 'the view names where the job ran');
      assert.equal(execution.model, model);
      assert.equal(execution.lane, MODEL_LANES[model]);
      if (model === 'worker-threads') {
        assert.equal(execution.pid, compute.pid, 'a worker thread of the compute process');
        assert.notEqual(execution.threadId, 0, 'not the main thread');
      } else if (model === 'processes') {
        assert.notEqual(execution.pid, compute.pid, 'a child, not the compute process itself');
        assert.notEqual(execution.pid, e2e.service('api').pid);
        assert.equal(execution.threadId, 0);
      } else {
        assert.equal(execution.pid, compute.pid);
        assert.equal(execution.threadId, 0, 'inline runs on the consumer main thread');
      }
      assert.ok(view.runMs !== undefined && view.runMs >= 0);
      // Its own CPU: some, and no more than the wall time on every core (the handler's thread plus GC
      // helpers); epoch ms are whole, so 1 ms of slack on the wall time.
      const { cpuMs } = execution;
      assert.ok(cpuMs !== undefined && cpuMs > 0, `cpuMs ${cpuMs}`);
      assert.ok(cpuMs <= (view.runMs + 1) * availableParallelism(), `cpuMs ${cpuMs}, runMs ${view.runMs}`);
      assert.ok(view.queueWaitMs !== undefined && view.queueWaitMs >= 0);
      assert.ok(view.startedAt && view.finishedAt && view.createdAt);
    });
  }

  for (const model of Object.keys(MODEL_LANES) as ComputeModel[]) {
    it(`a failed attempt under ${model} still says where it ran and what CPU it used`, async () => {
      const accepted = await e2e.client.submit({
        task: 'diag.crash',
        payload: { mode: 'throw' },
        lane: MODEL_LANES[model],
      });
      const view = await e2e.client.waitFor(accepted.id);
      assert.equal(view.state, 'failed');
      const execution = view.execution;
      // A pool's failure reply can reach the consumer before the thread's start event: the record must
      // not depend on which comes first.
      assert.ok(execution, 'the failed attempt names where it ran');
      assert.equal(execution.model, model);
      if (model === 'processes') assert.notEqual(execution.pid, e2e.compute(model).pid);
      else assert.equal(execution.pid, e2e.compute(model).pid);
      assert.equal(execution.threadId === 0, model !== 'worker-threads', `threadId ${execution.threadId}`);
      assert.ok(execution.startedAt > 0, 'the failed attempt says when it started');
      const cpuMs = execution.cpuMs;
      assert.ok(cpuMs !== undefined && cpuMs >= 0, `cpuMs ${cpuMs} on the failed attempt`);
    });
  }

  it('routes a task to its default lane and records the decision', async () => {
    const accepted = await e2e.client.submit({
      task: 'cpu.hash',
      payload: { input: 'switchyard', rounds: 10 },
    });
    assert.equal(accepted.lane, 'cpu');
    const view = await e2e.client.waitFor(accepted.id);
    assert.deepEqual(view.routing, { profile: 'cpu', lane: 'cpu', reason: 'task-default' });
    assert.equal(view.execution?.model, 'worker-threads');
  });

  it('an io.sleep on the event loop spends a sliver of its run time on the CPU', async () => {
    // A second, so that V8's background work after the consumer's start-up (charged to the first jobs on
    // the event loop: docs/telemetry.md) stays far below a tenth of it.
    const accepted = await e2e.client.submit({ task: 'io.sleep', payload: { ms: 1_000 } });
    const view = await e2e.client.waitFor(accepted.id);
    assert.equal(view.state, 'completed', JSON.stringify(view.error));
    assert.equal(view.execution?.model, 'event-loop');
    const { cpuMs, runMs } = view.execution ?? {};
    assert.ok(runMs !== undefined && runMs >= 990, `runMs ${runMs}`);
    assert.ok(cpuMs !== undefined && cpuMs >= 0, `cpuMs ${cpuMs}`);
    assert.ok(cpuMs < runMs / 10, `a sleep waits: cpuMs ${cpuMs} of runMs ${runMs}`);
  });

  it('a profile override sends an io task to the cpu lane', async () => {
    const accepted = await e2e.client.submit({ task: 'io.sleep', payload: { ms: 10 }, profile: 'cpu' });
    const view = await e2e.client.waitFor(accepted.id);
    assert.deepEqual(view.routing, { profile: 'cpu', lane: 'cpu', reason: 'profile-override' });
    assert.equal(view.execution?.model, 'worker-threads');
  });

  it('200 io.sleep jobs interleave on the one io-consumer event loop', async () => {
    const jobs = await e2e.client.submitBatch(
      Array.from({ length: 200 }, () => ({ task: 'io.sleep', payload: { ms: 500 } })),
    );
    const views = await e2e.client.waitForAll(jobs.map((job) => job.id));
    assert.ok(views.every((view) => view.state === 'completed'));
    const loops = new Set(views.map((view) => `${view.execution?.pid}/${view.execution?.threadId}`));
    assert.deepEqual(
      [...loops],
      [`${e2e.service('io-consumer').pid}/0`],
      'all on the io-consumer main thread',
    );
    // Concurrency, not speed: how many sleeps were in flight at the same instant.
    const events = views.flatMap((view) => [
      [Date.parse(view.startedAt ?? ''), 1],
      [Date.parse(view.finishedAt ?? ''), -1],
    ]) as [number, number][];
    events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let inFlight = 0;
    let peak = 0;
    for (const [, change] of events) peak = Math.max(peak, (inFlight += change));
    assert.ok(peak >= 100, `expected ≥ 100 sleeps in flight at once on one event loop, saw ${peak}`);
  });

  it('io.http calls a local server on the allowlist', async () => {
    const accepted = await e2e.client.submit({
      task: 'io.http',
      payload: { url: `${server.url}?ms=5`, method: 'GET' },
    });
    const view = await e2e.client.waitFor(accepted.id);
    assert.equal(view.state, 'completed', JSON.stringify(view.error));
    assert.equal((view.result as { status: number }).status, 200);
  });

  it('a batch enqueues every job, each routed on its own', async () => {
    const jobs = await e2e.client.submitBatch([
      { task: 'cpu.primes', payload: { limit: 100 } },
      { task: 'io.sleep', payload: { ms: 1 } },
      { task: 'cpu.primes', payload: { limit: 1000 }, lane: 'cpu-processes' },
    ]);
    assert.deepEqual(
      jobs.map((job) => job.lane),
      ['cpu', 'io', 'cpu-processes'],
    );
    const views = await e2e.client.waitForAll(jobs.map((job) => job.id));
    assert.deepEqual(
      views.map((view) => view.result),
      [{ limit: 100, count: 25 }, { sleptMs: 1 }, { limit: 1000, count: 168 }],
    );
    assert.ok(views.every((view) => view.state === 'completed'));
  });

  it('the same Idempotency-Key and body give the same job; another body is refused', async () => {
    const key = `key-${Date.now()}`;
    const body = { task: 'io.sleep', payload: { ms: 1 } };
    const first = await e2e.client.submit(body, { 'idempotency-key': key });
    const second = await e2e.client.submit(body, { 'idempotency-key': key });
    assert.equal(second.id, first.id);
    await assert.rejects(
      e2e.client.submit({ task: 'io.sleep', payload: { ms: 2 } }, { 'idempotency-key': key }),
      (error: Error & { status?: number }) => {
        assert.equal(error.status, 409);
        return true;
      },
    );
  });

  it('lists jobs by task with a cursor', async () => {
    const page = await fetch(`${e2e.stack.apiUrl}/v1/jobs?task=cpu.primes&limit=2`).then(
      (response) => response.json() as Promise<{ jobs: { task: string; id: string }[]; nextCursor?: string }>,
    );
    assert.equal(page.jobs.length, 2);
    assert.ok(page.jobs.every((job) => job.task === 'cpu.primes'));
    assert.ok(page.nextCursor);
    const next = await fetch(
      `${e2e.stack.apiUrl}/v1/jobs?task=cpu.primes&limit=2&cursor=${page.nextCursor}`,
    ).then((response) => response.json() as Promise<{ jobs: { id: string }[] }>);
    assert.ok(next.jobs.length > 0);
    assert.ok(
      next.jobs.every((job) => !page.jobs.some((seen) => seen.id === job.id)),
      'the next page holds other jobs',
    );
  });

  it('shows the catalog and every lane with its workers online', async () => {
    const tasks = await fetch(`${e2e.stack.apiUrl}/v1/tasks`).then(
      (response) =>
        response.json() as Promise<{
          tasks: { name: string; profile: string; payloadSchema: object; example: unknown }[];
        }>,
    );
    const names = tasks.tasks.map((task) => task.name);
    for (const name of ['io.sleep', 'io.http', 'cpu.primes', 'cpu.hash', 'cpu.mandelbrot', 'cpu.matmul'])
      assert.ok(names.includes(name), name);
    assert.ok(tasks.tasks.every((task) => task.payloadSchema && task.example !== undefined));
    const lanes = await e2e.client.queues();
    for (const lane of ['io', 'cpu', 'cpu-processes', 'cpu-inline']) {
      const stats = lanes.find((candidate) => candidate.lane === lane);
      assert.ok(stats, lane);
      assert.equal(stats.workers, 1, `one consumer on ${lane}`);
    }
    assert.ok((lanes.find((lane) => lane.lane === 'io')?.completed ?? 0) >= 200);
  });

  it('serves OpenAPI docs', async () => {
    const document = await fetch(`${e2e.stack.apiUrl}/docs-json`).then(
      (response) => response.json() as Promise<{ paths: Record<string, unknown> }>,
    );
    for (const route of ['/v1/jobs', '/v1/jobs/batch', '/v1/jobs/{id}', '/v1/tasks', '/v1/queues'])
      assert.ok(document.paths[route], route);
    assert.equal((await fetch(`${e2e.stack.apiUrl}/docs`)).status, 200);
  });
});
