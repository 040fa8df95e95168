/**
 * `/metrics` on every real service (the api's HTTP port, the consumers' health ports) after real
 * work ran: the Switchyard series with counts that match the jobs (jobs and attempts apart, cancelled
 * apart from failed), the runtime series, and every exposition clean for `promtool check metrics`.
 * No OTLP endpoint is set: the Prometheus text is served without one.
 */
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { after, before, describe, it } from 'node:test';
import type { RunningService } from '@switchyard/local-stack';
import {
  MODEL_LANES,
  startE2eStack,
  waitUntilRunning,
  type ComputeModel,
  type E2eStack,
} from '../helpers/e2e-stack';
import { parsePrometheus, samplesOf, sumOf } from '../helpers/prometheus-text';
import { promtoolCheckMetrics } from '../helpers/promtool';

const POOL_SIZE = 2;
const THREAD_JOBS = 3;
const IO_JOBS = 4;

describe('/metrics on every service after work ran', () => {
  let e2e: E2eStack;
  let delayedJobId: string;
  const expositions = new Map<string, string>();
  const scrape = (name: string) => parsePrometheus(expositions.get(name) ?? '');
  const services = () => e2e.stack.services;
  let queues: Awaited<ReturnType<E2eStack['client']['queues']>>;

  before(async () => {
    e2e = await startE2eStack([], { POOL_SIZE: String(POOL_SIZE) });
    const jobs = await e2e.client.submitBatch([
      ...Array.from({ length: THREAD_JOBS }, () => ({ task: 'cpu.primes', payload: { limit: 1_000_000 } })),
      { task: 'cpu.primes', payload: { limit: 1_000_000 }, lane: MODEL_LANES.processes },
      { task: 'cpu.primes', payload: { limit: 1_000_000 }, lane: MODEL_LANES.inline },
      ...Array.from({ length: IO_JOBS }, () => ({ task: 'io.sleep', payload: { ms: 5 } })),
      // Two attempts, both failing: one failed job.
      { task: 'diag.crash', payload: { mode: 'throw' }, lane: MODEL_LANES.processes, attempts: 2 },
    ]);
    await e2e.client.waitForAll(
      jobs.map((job) => job.id),
      { pollMs: 100 },
    );
    const cancelled = await e2e.client.submit({ task: 'io.sleep', payload: { ms: 60_000 } });
    await waitUntilRunning(e2e.client, cancelled.id, { placement: false });
    await e2e.client.cancel(cancelled.id);
    delayedJobId = (await e2e.client.submit({ task: 'io.sleep', payload: { ms: 1 }, delayMs: 600_000 })).id;
    // Cancelled while delayed: it never reaches a consumer, so the api counts it.
    const neverRun = await e2e.client.submit({ task: 'io.sleep', payload: { ms: 1 }, delayMs: 600_000 });
    await e2e.client.cancel(neverRun.id);
    queues = await e2e.client.queues();
    for (const service of services()) {
      const response = await fetch(`${service.baseUrl}/metrics`);
      assert.equal(response.status, 200, `${service.name} /metrics`);
      expositions.set(service.name, await response.text());
    }
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
      IO_JOBS + 3,
    );
    assert.equal(
      sumOf(api, 'switchyard_jobs_cancelled_total', { switchyard_task: 'io.sleep', switchyard_lane: 'io' }),
      1,
      'the job cancelled while delayed',
    );
    assert.equal(sumOf(api, 'switchyard_job_attempts_total', {}), 0, 'the api runs no attempt');
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
      assert.equal(sumOf(metrics, 'switchyard_job_run_duration_seconds_count', labels), completed, model);
      const runSeconds = sumOf(metrics, 'switchyard_job_run_duration_seconds_sum', labels);
      // cpu.primes up to 10^6 takes milliseconds to a second or so: seconds, not milliseconds.
      assert.ok(runSeconds > 0 && runSeconds < 30 * completed, `${model} run time in seconds: ${runSeconds}`);
      // Every completed attempt's CPU time, in seconds too: some, and not beyond what the run's wall time
      // could hold on this machine's cores.
      assert.equal(sumOf(metrics, 'switchyard_job_cpu_duration_seconds_count', labels), completed, model);
      const cpuSeconds = sumOf(metrics, 'switchyard_job_cpu_duration_seconds_sum', labels);
      assert.ok(
        cpuSeconds > 0 && cpuSeconds <= (runSeconds + 0.001 * completed) * availableParallelism(),
        `${model} CPU time in seconds: ${cpuSeconds} (run ${runSeconds})`,
      );
      assert.equal(
        sumOf(metrics, 'switchyard_job_queue_wait_seconds_count', {
          switchyard_task: 'cpu.primes',
          switchyard_lane: MODEL_LANES[model],
        }),
        completed,
      );
    }
    const processes = scrape('compute-processes');
    const crash = { switchyard_task: 'diag.crash', switchyard_execution_model: 'processes' };
    assert.equal(sumOf(processes, 'switchyard_jobs_failed_total', crash), 1, 'one job failed for good');
    assert.equal(
      sumOf(processes, 'switchyard_job_attempts_total', { ...crash, switchyard_outcome: 'failed' }),
      2,
      'after two failed attempts',
    );
  });

  it('the io-consumer counts its event-loop jobs, the cancelled one apart from failed ones', () => {
    const io = scrape('io-consumer');
    const labels = {
      switchyard_task: 'io.sleep',
      switchyard_lane: 'io',
      switchyard_execution_model: 'event-loop',
    };
    assert.equal(sumOf(io, 'switchyard_jobs_completed_total', labels), IO_JOBS);
    assert.equal(sumOf(io, 'switchyard_jobs_cancelled_total', labels), 1);
    assert.equal(sumOf(io, 'switchyard_jobs_failed_total', labels), 0);
    assert.equal(
      sumOf(io, 'switchyard_job_attempts_total', { ...labels, switchyard_outcome: 'cancelled' }),
      1,
    );
  });

  it('GET /v1/queues counts cancelled jobs apart from failed ones', () => {
    const lane = (name: string) => queues.find((stats) => stats.lane === name);
    assert.equal(lane('io')?.cancelled, 1);
    assert.equal(lane('io')?.failed, 0);
    assert.equal(lane(MODEL_LANES.processes)?.failed, 1);
    assert.equal(lane(MODEL_LANES.processes)?.cancelled, 0);
  });

  it('promtool check metrics finds nothing to fix on any service', async () => {
    assert.equal(expositions.size, services().length);
    for (const [name, text] of expositions) {
      const problems = await promtoolCheckMetrics(text);
      assert.equal(problems, '', `${name}: promtool check metrics says\n${problems}`);
    }
  });

  it('pools report their size, live workers and finished tasks', () => {
    for (const model of ['worker-threads', 'processes'] as const) {
      const metrics = scrape(`compute-${model}`);
      const labels = { switchyard_execution_model: model };
      assert.equal(sumOf(metrics, 'switchyard_pool_size', labels), POOL_SIZE, model);
      assert.equal(sumOf(metrics, 'switchyard_pool_workers', labels), POOL_SIZE, model);
      assert.equal(samplesOf(metrics, 'switchyard_pool_queue_size', labels).length, 1);
      assert.equal(samplesOf(metrics, 'switchyard_pool_utilization_ratio', labels).length, 1);
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
        'nodejs_eventloop_delay_p50_seconds',
        'nodejs_eventloop_delay_p99_seconds',
        'nodejs_eventloop_utilization_ratio',
      ]) {
        assert.ok(has(name), `${service.name} has ${name}`);
      }
      assert.ok(sumOf(metrics, 'process_cpu_time_seconds_total', { cpu_mode: 'user' }) > 0, service.name);
      assert.ok(sumOf(metrics, 'process_memory_usage_bytes') > 10_000_000, `${service.name} RSS`);
    }
  });
});
