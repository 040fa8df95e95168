/**
 * `/metrics` on every real service (the api's HTTP port, the consumers' health ports) after real
 * work ran: the Switchyard series with counts that match the jobs, and the runtime series.
 * No OTLP endpoint is set: the Prometheus text is served without one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningService } from '@switchyard/local-stack';
import { MODEL_LANES, startE2eStack, type ComputeModel, type E2eStack } from '../helpers/e2e-stack';
import { samplesOf, scrapeMetrics, sumOf, type PrometheusSample } from '../helpers/prometheus-text';

const POOL_SIZE = 2;
const THREAD_JOBS = 3;
const IO_JOBS = 4;

describe('/metrics on every service after work ran', () => {
  let e2e: E2eStack;
  let delayedJobId: string;
  const scraped = new Map<string, PrometheusSample[]>();
  const scrape = (name: string) => scraped.get(name) as PrometheusSample[];
  const services = () => e2e.stack.services;

  before(async () => {
    e2e = await startE2eStack([], { POOL_SIZE: String(POOL_SIZE) });
    const jobs = await e2e.client.submitBatch([
      ...Array.from({ length: THREAD_JOBS }, () => ({ task: 'cpu.primes', payload: { limit: 1_000_000 } })),
      { task: 'cpu.primes', payload: { limit: 1_000_000 }, lane: MODEL_LANES.processes },
      { task: 'cpu.primes', payload: { limit: 1_000_000 }, lane: MODEL_LANES.inline },
      ...Array.from({ length: IO_JOBS }, () => ({ task: 'io.sleep', payload: { ms: 5 } })),
      { task: 'diag.crash', payload: { mode: 'throw' }, lane: MODEL_LANES.processes },
    ]);
    await e2e.client.waitForAll(
      jobs.map((job) => job.id),
      { pollMs: 100 },
    );
    delayedJobId = (await e2e.client.submit({ task: 'io.sleep', payload: { ms: 1 }, delayMs: 600_000 })).id;
    for (const service of services()) scraped.set(service.name, await scrapeMetrics(service.baseUrl));
  });
  after(async () => {
    if (delayedJobId) await e2e?.client.cancel(delayedJobId).catch(() => undefined);
    await e2e?.stop();
  });

  it('the api counts submitted jobs by task, lane and profile, and reports lane depth', () => {
    const api = scrape('api');
    const submitted = (labels: Record<string, string>) =>
      sumOf(api, 'switchyard_jobs_submitted_total', labels);
    assert.equal(
      submitted({ switchyard_task: 'cpu.primes', switchyard_lane: 'cpu', switchyard_profile: 'cpu' }),
      THREAD_JOBS,
    );
    assert.equal(submitted({ switchyard_task: 'cpu.primes', switchyard_lane: 'cpu-processes' }), 1);
    assert.equal(
      submitted({ switchyard_task: 'io.sleep', switchyard_lane: 'io', switchyard_profile: 'io' }),
      IO_JOBS + 1,
    );
    assert.equal(submitted({ switchyard_task: 'diag.crash' }), 1);
    const depth = (lane: string, state: string) =>
      samplesOf(api, 'switchyard_lane_depth', { switchyard_lane: lane, switchyard_job_state: state });
    for (const lane of Object.values(MODEL_LANES)) {
      for (const state of ['waiting', 'active', 'delayed']) assert.equal(depth(lane, state).length, 1);
    }
    assert.equal(depth('io', 'delayed')[0]?.value, 1, 'the delayed job');
    assert.equal(depth('cpu', 'waiting')[0]?.value, 0, 'everything else ran');
  });

  it('each compute counts its attempts by task, lane, profile, model and outcome, with histograms', () => {
    const expected: Record<ComputeModel, number> = { 'worker-threads': THREAD_JOBS, processes: 1, inline: 1 };
    for (const [model, completed] of Object.entries(expected) as [ComputeModel, number][]) {
      const metrics = scrape(`compute-${model}`);
      const labels = {
        switchyard_task: 'cpu.primes',
        switchyard_lane: MODEL_LANES[model],
        switchyard_profile: 'cpu',
        switchyard_execution_model: model,
      };
      assert.equal(sumOf(metrics, 'switchyard_jobs_completed_total', labels), completed, model);
      assert.equal(sumOf(metrics, 'switchyard_job_run_ms_count', labels), completed, model);
      assert.ok(sumOf(metrics, 'switchyard_job_run_ms_sum', labels) > 0, `${model} run time recorded`);
      assert.equal(
        sumOf(metrics, 'switchyard_job_queue_wait_ms_count', {
          switchyard_task: 'cpu.primes',
          switchyard_lane: MODEL_LANES[model],
        }),
        completed,
      );
    }
    const processes = scrape('compute-processes');
    assert.equal(
      sumOf(processes, 'switchyard_jobs_failed_total', {
        switchyard_task: 'diag.crash',
        switchyard_execution_model: 'processes',
        switchyard_outcome: 'failed',
      }),
      1,
    );
  });

  it('the io-consumer counts its event-loop attempts', () => {
    assert.equal(
      sumOf(scrape('io-consumer'), 'switchyard_jobs_completed_total', {
        switchyard_task: 'io.sleep',
        switchyard_lane: 'io',
        switchyard_execution_model: 'event-loop',
      }),
      IO_JOBS,
    );
  });

  it('pools report their size, live workers and finished tasks', () => {
    for (const model of ['worker-threads', 'processes'] as const) {
      const metrics = scrape(`compute-${model}`);
      const labels = { switchyard_execution_model: model };
      assert.equal(sumOf(metrics, 'switchyard_pool_size', labels), POOL_SIZE, model);
      assert.equal(sumOf(metrics, 'switchyard_pool_workers', labels), POOL_SIZE, model);
      assert.equal(samplesOf(metrics, 'switchyard_pool_queue_size', labels).length, 1);
      assert.equal(samplesOf(metrics, 'switchyard_pool_utilization', labels).length, 1);
    }
    const threads = scrape('compute-worker-threads');
    assert.equal(
      sumOf(threads, 'switchyard_pool_tasks_completed_total', {
        switchyard_execution_model: 'worker-threads',
      }),
      THREAD_JOBS,
    );
  });

  it('every service reports event-loop delay and utilization, CPU time and RSS', () => {
    for (const service of services() as RunningService[]) {
      const metrics = scrape(service.name);
      const has = (name: string) => samplesOf(metrics, name).length > 0;
      for (const name of [
        'nodejs_eventloop_delay_p50',
        'nodejs_eventloop_delay_p99',
        'nodejs_eventloop_utilization',
      ]) {
        assert.ok(has(name), `${service.name} has ${name}`);
      }
      assert.ok(sumOf(metrics, 'process_cpu_time_total', { cpu_mode: 'user' }) > 0, service.name);
      assert.ok(sumOf(metrics, 'process_memory_usage') > 10_000_000, `${service.name} RSS`);
    }
  });
});
