/**
 * With no OTLP endpoint: nothing is traced, yet `/metrics` serves every series; and the
 * `/stats` runtime figures.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { RuntimeStats } from '@switchyard/telemetry';
import { runNodeFixture } from '../../helpers/run-node-fixture';

interface MetricsFixtureResult {
  status: { enabled: boolean; tracing: boolean; metricsPushed: boolean };
  spanRecording: boolean;
  carrier: Record<string, string>;
  prometheus: string;
}

const FIXTURE = path.join(__dirname, 'fixtures', 'metrics-fixture.js');

/** The value of the first sample of `series` whose labels include every `labels` pair. */
function sample(text: string, series: string, labels: Record<string, string> = {}): number | undefined {
  const line = text
    .split('\n')
    .filter((candidate) => candidate.startsWith(`${series}{`) || candidate.startsWith(`${series} `))
    .find((candidate) =>
      Object.entries(labels).every(([key, value]) => candidate.includes(`${key}="${value}"`)),
    );
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('telemetry without an OTLP endpoint', () => {
  it('traces nothing, leaves logs without trace ids, and still serves every series as Prometheus text', async () => {
    const { result, logLines } = await runNodeFixture<MetricsFixtureResult>(FIXTURE, {});
    assert.deepEqual(result.status, {
      enabled: true,
      tracing: false,
      metricsPushed: false,
      serviceName: 'switchyard-fixture',
    });
    assert.equal(result.spanRecording, false);
    assert.deepEqual(result.carrier, {});
    const logLine = logLines.find((line) => line.msg === 'inside a span with tracing off');
    assert.ok(logLine);
    assert.equal(logLine.trace_id, undefined);

    const text = result.prometheus;
    const job = { switchyard_task: 'cpu.primes', switchyard_lane: 'cpu' };
    const model = { ...job, switchyard_execution_model: 'worker-threads' };
    assert.equal(sample(text, 'switchyard_jobs_submitted_total', { ...job, switchyard_profile: 'cpu' }), 1);
    assert.equal(sample(text, 'switchyard_jobs_completed_total', model), 1);
    // The retried job is one failed job (its last attempt's outcome), and two attempts.
    assert.equal(sample(text, 'switchyard_jobs_failed_total', { ...model, switchyard_outcome: 'failed' }), 1);
    assert.equal(
      sample(text, 'switchyard_jobs_failed_total', { ...model, switchyard_outcome: 'timeout' }),
      undefined,
    );
    assert.equal(sample(text, 'switchyard_jobs_cancelled_total', model), 1);
    for (const outcome of ['completed', 'failed', 'timeout', 'cancelled']) {
      const labels = { ...model, switchyard_outcome: outcome };
      assert.equal(sample(text, 'switchyard_job_attempts_total', labels), 1, outcome);
    }
    assert.equal(sample(text, 'switchyard_job_run_duration_seconds_count', model), 3);
    assert.ok(Math.abs((sample(text, 'switchyard_job_run_duration_seconds_sum', model) ?? 0) - 0.092) < 1e-9);
    assert.equal(sample(text, 'switchyard_job_queue_wait_seconds_count', job), 1);
    assert.equal(sample(text, 'switchyard_job_queue_wait_seconds_bucket', { ...job, le: '0.05' }), 1);
    assert.equal(sample(text, 'switchyard_job_queue_wait_seconds_bucket', { ...job, le: '0.025' }), 0);
    assert.match(text, /^# TYPE switchyard_job_run_duration_seconds histogram$/m);
    const pool = { switchyard_execution_model: 'worker-threads' };
    assert.equal(sample(text, 'switchyard_pool_size', pool), 4);
    assert.equal(sample(text, 'switchyard_pool_utilization_ratio', pool), 0.75);
    assert.equal(sample(text, 'switchyard_pool_queue_size', pool), 2);
    assert.equal(sample(text, 'switchyard_pool_workers', pool), 4);
    assert.equal(sample(text, 'switchyard_pool_tasks_completed_total', pool), 7);
    assert.equal(
      sample(text, 'switchyard_lane_depth', { switchyard_lane: 'cpu', switchyard_job_state: 'waiting' }),
      9,
    );
    assert.equal(
      sample(text, 'switchyard_lane_depth', { switchyard_lane: 'cpu', switchyard_job_state: 'delayed' }),
      1,
    );
    assert.ok((sample(text, 'process_memory_usage_bytes') ?? 0) > 1_000_000, 'RSS in bytes');
    assert.ok((sample(text, 'process_cpu_time_seconds_total', { cpu_mode: 'user' }) ?? 0) > 0, 'CPU seconds');
    for (const series of [
      'nodejs_eventloop_delay_p50_seconds',
      'nodejs_eventloop_delay_p99_seconds',
      'nodejs_eventloop_utilization_ratio',
    ]) {
      assert.notEqual(sample(text, series), undefined, `${series} is served`);
    }
  });
});

describe('RuntimeStats', () => {
  it('reports the event-loop delay of the current window and starts a new one on reset', async () => {
    const stats = new RuntimeStats({ resolutionMs: 5 });
    try {
      await new Promise((resolve) => setTimeout(resolve, 30));
      const blockUntil = Date.now() + 120;
      while (Date.now() < blockUntil);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const blocked = stats.snapshot({ reset: true });
      assert.equal(blocked.pid, process.pid);
      assert.ok(blocked.memory.rssBytes > 0 && blocked.memory.maxRssBytes >= blocked.memory.rssBytes);
      assert.ok(blocked.cpu.userMicros > 0);
      assert.ok(
        blocked.eventLoop.delayP99Ms >= 50,
        `a 120 ms block shows in p99, got ${blocked.eventLoop.delayP99Ms}`,
      );
      assert.ok(blocked.eventLoop.utilization > 0 && blocked.eventLoop.utilization <= 1);
      const fresh = stats.snapshot();
      assert.ok(fresh.eventLoop.delayP99Ms < 50, 'the reset dropped the blocked window');
    } finally {
      stats.close();
    }
  });

  it('names a bad option', () => {
    assert.throws(
      () => new RuntimeStats({ resolutionMs: 0 }),
      /options.resolutionMs must be a positive integer/,
    );
  });
});
