/**
 * One trace per job across the real api, io-consumer and compute processes, exported by their
 * real OpenTelemetry SDKs over OTLP/HTTP protobuf to a local OTLP receiver, which stands in for
 * Jaeger (Jaeger cannot run here; the receiver decodes exactly what Jaeger's port 4318 would get).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobView } from '@switchyard/contracts';
import { OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver';
import {
  MODEL_LANES,
  startE2eStack,
  waitUntilRunning,
  type ComputeModel,
  type E2eStack,
} from '../helpers/e2e-stack';

const JAEGER_UI_URL = 'http://jaeger.example:16686';
const SERVER = 2;
const PRODUCER = 4;
const CONSUMER = 5;
const ERROR = 2;

describe('one trace per job, from the HTTP request to the thread or process that ran it', () => {
  let receiver: OtlpReceiver;
  let e2e: E2eStack;

  const inTrace = (traceId: string) => receiver.spans().filter((span) => span.traceId === traceId);
  const executeSpans = (jobId: string) =>
    receiver
      .spans()
      .filter((span) => span.name.startsWith('execute ') && span.attributes['switchyard.job.id'] === jobId);
  const processSpans = (jobId: string) =>
    receiver
      .spans()
      .filter(
        (span) => span.name.startsWith('process ') && span.attributes['messaging.message.id'] === jobId,
      );
  const waitForExecute = (jobId: string, count = 1) =>
    receiver.waitForSpans(() => executeSpans(jobId).length >= count && processSpans(jobId).length >= count);
  const one = (spans: ReceivedSpan[], what: string): ReceivedSpan => {
    assert.equal(spans.length, 1, `expected one ${what}, got ${spans.map((span) => span.name).join(', ')}`);
    return spans[0];
  };
  const service = (span: ReceivedSpan) => span.resource['service.name'];
  const MESSAGING_KEYS = [
    'messaging.system',
    'messaging.destination.name',
    'messaging.operation.type',
    'messaging.operation.name',
    'messaging.message.id',
  ];
  const messagingOf = (span: ReceivedSpan) =>
    Object.fromEntries(MESSAGING_KEYS.map((key) => [key, span.attributes[key]]));

  /** Runs a job to its end and returns its view once its execute span arrived. */
  async function runJob(request: Parameters<E2eStack['client']['submit']>[0]): Promise<JobView> {
    const accepted = await e2e.client.submit(request);
    const view = await e2e.client.waitFor(accepted.id, 30_000, 100);
    await waitForExecute(view.id, request.attempts ?? 1);
    return view;
  }

  before(async () => {
    receiver = await OtlpReceiver.start();
    e2e = await startE2eStack([], {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      JAEGER_UI_URL,
      // Completed attempts are logged at debug: the log-line test reads one.
      LOG_LEVEL: 'debug',
    });
  });
  after(async () => {
    await e2e?.stop();
    await receiver?.close();
  });

  for (const model of Object.keys(MODEL_LANES) as ComputeModel[]) {
    it(`cpu.primes under ${model}: server → publish → process → execute, the execute span naming its thread or process`, async () => {
      const lane = MODEL_LANES[model];
      const view = await runJob({ task: 'cpu.primes', payload: { limit: 20_000 }, lane });
      assert.equal(view.state, 'completed');
      assert.ok(view.traceId, 'the job view carries its trace id');
      assert.equal(view.sampled, true);
      assert.equal(view.links.trace, `${JAEGER_UI_URL}/trace/${view.traceId}`);

      const trace = inTrace(view.traceId);
      const server = one(
        trace.filter((span) => span.kind === SERVER),
        'HTTP server span',
      );
      assert.equal(server.name, 'POST /v1/jobs');
      assert.equal(server.attributes['http.route'], '/v1/jobs');
      assert.equal(server.parentSpanId, undefined, 'the request starts the trace');
      const publish = one(
        trace.filter((span) => span.name === `publish ${lane}`),
        'publish span',
      );
      assert.equal(publish.kind, PRODUCER);
      assert.equal(publish.parentSpanId, server.spanId);
      assert.deepEqual(messagingOf(publish), {
        'messaging.system': 'bullmq',
        'messaging.destination.name': lane,
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'publish',
        'messaging.message.id': view.id,
      });
      const consumer = one(processSpans(view.id), 'process span');
      assert.equal(consumer.name, `process ${lane}`);
      assert.equal(consumer.kind, CONSUMER);
      assert.deepEqual(messagingOf(consumer), {
        'messaging.system': 'bullmq',
        'messaging.destination.name': lane,
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'messaging.message.id': view.id,
      });
      assert.equal(consumer.attributes['server.address'], new URL(e2e.stack.redisUrl).hostname);
      assert.equal(consumer.attributes['server.port'], Number(new URL(e2e.stack.redisUrl).port || 6379));
      assert.equal(consumer.traceId, view.traceId);
      assert.equal(consumer.parentSpanId, publish.spanId);
      const execute = one(executeSpans(view.id), 'execute span');
      assert.equal(execute.name, 'execute cpu.primes');
      assert.equal(execute.traceId, view.traceId);
      assert.equal(execute.parentSpanId, consumer.spanId, 'execute is a child of the consumer span');

      assert.equal(service(server), 'switchyard-api');
      assert.equal(service(publish), 'switchyard-api');
      assert.equal(service(consumer), 'switchyard-compute');
      assert.equal(service(execute), 'switchyard-compute');

      const attributes = execute.attributes;
      assert.equal(attributes['switchyard.execution.model'], model);
      assert.equal(attributes['switchyard.lane'], lane);
      assert.equal(attributes['switchyard.profile'], 'cpu');
      assert.equal(attributes['switchyard.task'], 'cpu.primes');
      assert.equal(attributes['switchyard.attempt'], 1);
      assert.equal(attributes['switchyard.outcome'], 'completed');
      assert.equal(typeof attributes['switchyard.queue_wait_ms'], 'number');
      assert.ok((attributes['switchyard.queue_wait_ms'] as number) >= 0);
      assert.equal(
        attributes['switchyard.cpu_ms'],
        view.execution?.cpuMs,
        "the span's CPU time is the job's",
      );
      // A 1 ms run can read 0 on a thread's clock (it ticks with the scheduler); execution-models checks > 0 on a longer run.
      assert.ok((attributes['switchyard.cpu_ms'] as number) >= 0);
      assert.equal(attributes['process.pid'], view.execution?.pid, 'the span names where the job ran');
      assert.equal(attributes['thread.id'], view.execution?.threadId);
      const computePid = e2e.compute(model).pid;
      if (model === 'worker-threads') {
        assert.notEqual(attributes['thread.id'], 0, 'a worker thread, not the main thread');
        assert.equal(attributes['process.pid'], computePid);
      } else if (model === 'processes') {
        assert.ok(
          ![computePid, e2e.service('api').pid].includes(attributes['process.pid'] as number),
          'a pool child, neither the api nor the compute process',
        );
      } else {
        assert.equal(attributes['thread.id'], 0);
        assert.equal(attributes['process.pid'], computePid);
      }
    });
  }

  it('io.sleep: the io-consumer runs it on its event loop, in the same trace', async () => {
    const view = await runJob({ task: 'io.sleep', payload: { ms: 5 } });
    const execute = one(executeSpans(view.id), 'execute span');
    assert.equal(execute.traceId, view.traceId);
    assert.equal(service(execute), 'switchyard-io-consumer');
    assert.equal(execute.attributes['switchyard.execution.model'], 'event-loop');
    assert.equal(execute.attributes['process.pid'], e2e.service('io-consumer').pid);
    const consumer = one(processSpans(view.id), 'process span');
    assert.equal(execute.parentSpanId, consumer.spanId);
    assert.equal(consumer.name, 'process io');
    const services = new Set(inTrace(view.traceId ?? '').map(service));
    assert.deepEqual(services, new Set(['switchyard-api', 'switchyard-io-consumer']));
  });

  it('a failing job with two attempts shows two consumer spans, all in error with error.type', async () => {
    const view = await runJob({
      task: 'diag.crash',
      payload: { mode: 'throw' },
      lane: 'cpu',
      attempts: 2,
      backoff: { type: 'fixed', delayMs: 10 },
    });
    assert.equal(view.state, 'failed');
    const attempts = processSpans(view.id);
    assert.equal(attempts.length, 2, 'one consumer span per attempt');
    assert.ok(attempts.every((span) => span.status.code === ERROR && span.traceId === view.traceId));
    assert.deepEqual(
      attempts.map((span) => span.attributes['error.type']),
      ['DiagnosticCrashError', 'DiagnosticCrashError'],
    );
    const executes = executeSpans(view.id).sort(
      (a, b) => Number(a.attributes['switchyard.attempt']) - Number(b.attributes['switchyard.attempt']),
    );
    assert.deepEqual(
      executes.map((span) => span.attributes['switchyard.attempt']),
      [1, 2],
    );
    for (const execute of executes) {
      assert.equal(execute.status.code, ERROR);
      assert.equal(execute.attributes['switchyard.outcome'], 'failed');
      const exception = execute.events.find((event) => event.name === 'exception');
      assert.equal(exception?.attributes['exception.type'], 'DiagnosticCrashError');
      assert.ok(attempts.some((attempt) => attempt.spanId === execute.parentSpanId));
    }
  });

  it('a cancelled worker-threads job and a timed-out processes job say so on their execute and process spans', async () => {
    const cancelled = await e2e.client.submit({ task: 'diag.spin', payload: { ms: 30_000 }, lane: 'cpu' });
    await waitUntilRunning(e2e.client, cancelled.id);
    await e2e.client.cancel(cancelled.id);
    const timedOut = await e2e.client.submit({
      task: 'diag.spin',
      payload: { ms: 30_000 },
      lane: MODEL_LANES.processes,
      timeoutMs: 500,
    });
    assert.equal((await e2e.client.waitFor(timedOut.id, 30_000, 100)).state, 'failed');
    await waitForExecute(cancelled.id);
    await waitForExecute(timedOut.id);

    const cancelSpan = one(executeSpans(cancelled.id), 'execute span');
    assert.equal(cancelSpan.attributes['switchyard.outcome'], 'cancelled');
    assert.notEqual(cancelSpan.status.code, ERROR, 'a cancellation is a client choice, not a fault');
    assert.notEqual(cancelSpan.attributes['thread.id'], 0, 'recorded in the thread that was terminated');
    const cancelProcess = one(processSpans(cancelled.id), 'process span');
    assert.equal(cancelProcess.status.code, 0, 'the process span of a cancelled attempt stays UNSET');
    assert.equal(cancelProcess.attributes['switchyard.outcome'], 'cancelled');
    assert.equal(cancelProcess.attributes['error.type'], undefined);
    const timeoutSpan = one(executeSpans(timedOut.id), 'execute span');
    assert.equal(timeoutSpan.attributes['switchyard.outcome'], 'timeout');
    assert.equal(timeoutSpan.status.code, ERROR);
    assert.notEqual(timeoutSpan.attributes['process.pid'], e2e.compute('processes').pid);
    const timeoutProcess = one(processSpans(timedOut.id), 'process span');
    assert.equal(timeoutSpan.parentSpanId, timeoutProcess.spanId);
    assert.equal(timeoutProcess.status.code, ERROR);
    assert.equal(timeoutProcess.attributes['error.type'], 'JobTimeoutError');
  });

  it('a job whose request was not sampled says so and gets no Jaeger link', async () => {
    // A caller's traceparent with the sampled flag off: the parent-based sampler records nothing.
    const response = await fetch(`${e2e.stack.apiUrl}/v1/jobs`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00',
      },
      body: JSON.stringify({ task: 'io.sleep', payload: { ms: 1 } }),
    });
    assert.equal(response.status, 202);
    const accepted = (await response.json()) as { id: string; links: { trace?: string } };
    assert.equal(accepted.links.trace, undefined, 'the 202 has no Jaeger link either');
    const view = await e2e.client.waitFor(accepted.id, 30_000, 100);
    assert.equal(view.state, 'completed');
    assert.equal(view.sampled, false);
    assert.equal(view.traceId, '0af7651916cd43dd8448eb211c80319c', 'the trace id its log lines carry');
    assert.equal(view.links.trace, undefined, 'no link to a trace that was never recorded');
  });

  it('a batch: a create span starts the trace of each job, one publish span links to them all', async () => {
    const accepted = await e2e.client.submitBatch([
      { task: 'io.sleep', payload: { ms: 1 } },
      { task: 'cpu.primes', payload: { limit: 1000 } },
    ]);
    const views = await e2e.client.waitForAll(
      accepted.map((job) => job.id),
      { pollMs: 100 },
    );
    await Promise.all(views.map((view) => waitForExecute(view.id)));
    const batch = await receiver.waitForSpans((spans) =>
      spans.some((span) => span.name === 'POST /v1/jobs/batch'),
    );
    const request = one(
      batch.filter((span) => span.name === 'POST /v1/jobs/batch'),
      'batch request span',
    );
    assert.equal(request.attributes['switchyard.batch.size'], 2);
    assert.equal(new Set(views.map((view) => view.traceId)).size, 2, 'a trace per job');
    const publish = one(
      inTrace(request.traceId).filter((span) => span.name === 'publish'),
      'batch publish span (two lanes: no destination in its name)',
    );
    assert.equal(publish.kind, PRODUCER);
    assert.equal(publish.parentSpanId, request.spanId);
    assert.equal(publish.attributes['messaging.batch.message_count'], 2);
    assert.equal(publish.attributes['messaging.operation.type'], 'send');
    assert.equal(publish.attributes['messaging.destination.name'], undefined);
    for (const view of views) {
      assert.ok(view.traceId && view.traceId !== request.traceId, 'not the batch request trace');
      assert.equal(view.links.trace, `${JAEGER_UI_URL}/trace/${view.traceId}`);
      const create = one(
        inTrace(view.traceId).filter((span) => span.name === `create ${view.lane}`),
        'create span',
      );
      assert.equal(create.parentSpanId, undefined, 'the job trace starts at its create span');
      assert.equal(create.kind, PRODUCER);
      assert.deepEqual(messagingOf(create), {
        'messaging.system': 'bullmq',
        'messaging.destination.name': view.lane,
        'messaging.operation.type': 'create',
        'messaging.operation.name': 'create',
        'messaging.message.id': view.id,
      });
      assert.deepEqual(
        create.links.map((link) => link.spanId),
        [request.spanId],
        'the job links back to the batch request',
      );
      assert.ok(
        request.links.some((link) => link.spanId === create.spanId),
        'the batch request links to the job',
      );
      assert.ok(
        publish.links.some((link) => link.spanId === create.spanId && link.traceId === view.traceId),
        'the publish span links to the creation context of the job',
      );
      const consumer = one(processSpans(view.id), 'process span');
      assert.equal(consumer.parentSpanId, create.spanId);
      assert.equal(one(executeSpans(view.id), 'execute span').parentSpanId, consumer.spanId);
    }
  });

  it('logs one JSON line per finished attempt with the consumer span ids', async () => {
    const view = await runJob({ task: 'cpu.primes', payload: { limit: 100 }, lane: 'cpu' });
    const consumer = one(processSpans(view.id), 'process span');
    const logFile = path.join(os.tmpdir(), e2e.stack.prefix, 'compute-worker-threads-1.log');
    const line = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((text) => text.startsWith('{'))
      .map((text) => JSON.parse(text) as Record<string, unknown>)
      .find((entry) => entry.jobId === view.id);
    assert.ok(line, `no log line for job ${view.id} in ${logFile}`);
    assert.equal(line.trace_id, view.traceId);
    assert.equal(line.span_id, consumer.spanId);
    assert.equal(line.outcome, 'completed');
    assert.equal(line.model, 'worker-threads');
    assert.equal(line.task, 'cpu.primes');
    assert.equal(line.level, 20, 'debug');
    assert.equal(typeof line.runMs, 'number');
    assert.equal(typeof line.queueWaitMs, 'number');
  });

  it('pushes metrics over OTLP from every service', async () => {
    const metrics = () => receiver.metrics();
    await receiver.waitForSpans(() =>
      ['switchyard-api', 'switchyard-compute', 'switchyard-io-consumer'].every((name) =>
        metrics().some((metric) => metric.resource['service.name'] === name),
      ),
    );
    const completed = metrics().filter(
      (metric) =>
        metric.name === 'switchyard.jobs.completed' &&
        metric.resource['service.name'] === 'switchyard-compute',
    );
    assert.ok(completed.some((metric) => metric.points.some((point) => (point.value ?? 0) > 0)));
  });
});
