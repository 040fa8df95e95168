/**
 * One job's spans, exported by the real OpenTelemetry SDK of a real process over OTLP/HTTP,
 * received by a local OTLP receiver standing in for Jaeger (which cannot run here). The execute
 * spans come from a real worker thread, a real child process and the event loop.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OtlpReceiver, type ReceivedSpan } from '../../helpers/otlp-receiver';
import { runNodeFixture, type FixtureRun } from '../../helpers/run-node-fixture';

interface TaskRun {
  jobId: string;
  pid: number;
  threadId: number;
  done?: { pid: number; threadId: number; sdkLoaded: boolean; error?: string };
}

interface TraceFixtureResult {
  status: { enabled: boolean; tracing: boolean; metricsPushed: boolean };
  pid: number;
  traceId: string;
  rootSpanId: string;
  runs: Record<'thread' | 'threadFailure' | 'threadCancelled' | 'child' | 'childTimeout', TaskRun>;
}

const FIXTURE = path.join(__dirname, 'fixtures', 'trace-fixture.js');
const EXECUTE_SPANS = 6;

/** Each run also sets resource variables the way the Helm chart would, in one of its two ways. */
const RUNS = [
  {
    protocol: 'http/protobuf',
    env: { POD_NAME: 'compute-7d9f-abcde', POD_NAMESPACE: 'switchyard' },
    resource: {
      'service.name': 'switchyard-fixture',
      'k8s.pod.name': 'compute-7d9f-abcde',
      'k8s.namespace.name': 'switchyard',
    },
  },
  {
    protocol: 'http/json',
    env: {
      POD_NAME: 'overridden',
      OTEL_SERVICE_NAME: 'switchyard-compute',
      OTEL_RESOURCE_ATTRIBUTES: 'k8s.pod.name=compute-0,k8s.namespace.name=lab',
    },
    resource: {
      'service.name': 'switchyard-compute',
      'k8s.pod.name': 'compute-0',
      'k8s.namespace.name': 'lab',
    },
  },
] as const;

for (const { protocol, env, resource } of RUNS) {
  describe(`one trace per job over OTLP ${protocol}`, () => {
    let receiver: OtlpReceiver;
    let run: FixtureRun<TraceFixtureResult>;
    let spans: ReceivedSpan[];

    const executeSpan = (jobId: string): ReceivedSpan => {
      const span = spans.find((candidate) => candidate.attributes['switchyard.job.id'] === jobId);
      assert.ok(span, `no execute span for ${jobId}; got ${spans.map((s) => s.name).join(', ')}`);
      return span;
    };
    const named = (name: string): ReceivedSpan => {
      const span = spans.find((candidate) => candidate.name === name);
      assert.ok(span, `no span named ${name}; got ${spans.map((s) => s.name).join(', ')}`);
      return span;
    };

    before(async () => {
      receiver = await OtlpReceiver.start();
      run = await runNodeFixture<TraceFixtureResult>(FIXTURE, {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_BSP_SCHEDULE_DELAY: '100',
        ...env,
      });
      spans = await receiver.waitForSpans(
        (received) => received.filter((span) => span.name.startsWith('execute ')).length >= EXECUTE_SPANS,
      );
    });

    after(() => receiver.close());

    it('decodes every span in the encoding the exporter used', () => {
      assert.equal(run.result.status.tracing, true);
      assert.ok(receiver.requests().some((request) => request.path === '/v1/traces'));
      const expected = protocol === 'http/json' ? 'json' : 'protobuf';
      assert.deepEqual(new Set(receiver.requests().map((request) => request.encoding)), new Set([expected]));
      for (const span of spans) {
        assert.match(span.traceId, /^[0-9a-f]{32}$/);
        assert.match(span.spanId, /^[0-9a-f]{16}$/);
      }
    });

    it('describes the service in the resource, from the environment', () => {
      const span = named('fixture.request');
      for (const [key, value] of Object.entries(resource)) assert.equal(span.resource[key], value, key);
      assert.match(String(span.resource['service.instance.id']), /^[0-9a-f-]{36}$/);
      assert.equal(typeof span.resource['service.version'], 'string');
      assert.equal(typeof span.resource['host.name'], 'string');
    });

    it('puts the request, its HTTP hop and every execute span in one trace with the right parents', () => {
      assert.deepEqual(new Set(spans.map((span) => span.traceId)), new Set([run.result.traceId]));
      const root = named('fixture.request');
      assert.equal(root.spanId, run.result.rootSpanId);
      assert.equal(root.parentSpanId, undefined);
      const dispatch = named('fixture.dispatch');
      assert.equal(dispatch.parentSpanId, root.spanId);
      const server = spans.find((span) => span.kind === 2);
      assert.ok(server, 'the HTTP instrumentation made no server span');
      assert.equal(server.attributes['http.route'], '/v1/jobs');
      assert.equal(server.attributes['url.path'], undefined, 'the path as sent stays inside');
      const client = spans.find((span) => span.spanId === server.parentSpanId);
      assert.equal(
        client?.parentSpanId,
        root.spanId,
        'the server span hangs under the client span of the request',
      );
      for (const jobId of [
        'job-thread',
        'job-thread-fail',
        'job-thread-cancel',
        'job-child',
        'job-child-timeout',
        'job-inline',
      ]) {
        assert.equal(
          executeSpan(jobId).parentSpanId,
          dispatch.spanId,
          `${jobId} is a child of the dispatching span`,
        );
      }
    });

    it('names the thread that ran the task, with the job attributes, and keeps its exact times', () => {
      const span = executeSpan('job-thread');
      const { thread } = run.result.runs;
      assert.equal(span.name, 'execute fixture.complete');
      assert.equal(span.attributes['thread.id'], thread.threadId);
      assert.notEqual(span.attributes['thread.id'], 0);
      assert.equal(span.attributes['process.pid'], run.result.pid);
      assert.equal(span.attributes['switchyard.execution.model'], 'worker-threads');
      assert.equal(span.attributes['switchyard.queue_wait_ms'], 12);
      assert.equal(span.attributes['switchyard.attempt'], 1);
      assert.equal(span.attributes['switchyard.outcome'], 'completed');
      assert.equal(span.status.code, 0);
      assert.ok(span.endTimeUnixNano > span.startTimeUnixNano);
      assert.equal(thread.done?.sdkLoaded, false, 'the thread loaded the OpenTelemetry SDK');
    });

    it('names the child process that ran the task', () => {
      const span = executeSpan('job-child');
      const { child } = run.result.runs;
      assert.equal(span.attributes['process.pid'], child.pid);
      assert.notEqual(child.pid, run.result.pid);
      assert.equal(child.done?.pid, child.pid);
      assert.equal(span.attributes['thread.id'], 0);
      assert.equal(span.attributes['switchyard.execution.model'], 'processes');
      assert.equal(child.done?.sdkLoaded, false, 'the child loaded the OpenTelemetry SDK');
    });

    it('marks a failed run as an error with its exception', () => {
      const span = executeSpan('job-thread-fail');
      assert.equal(span.status.code, 2);
      assert.equal(
        span.status.message,
        'Error',
        "the error's type, not its text (which may quote a payload)",
      );
      assert.equal(span.attributes['switchyard.outcome'], 'failed');
      const exception = span.events.find((event) => event.name === 'exception');
      assert.equal(exception?.attributes['exception.type'], 'Error');
      assert.equal(exception?.attributes['exception.message'], undefined);
      assert.match(String(exception?.attributes['exception.stacktrace']), /^Error\n\s+at /);
    });

    it('shows a terminated thread as cancelled and a killed child as timed out', () => {
      const cancelled = executeSpan('job-thread-cancel');
      assert.equal(run.result.runs.threadCancelled.done, undefined, 'the spinning thread was terminated');
      assert.equal(cancelled.attributes['switchyard.outcome'], 'cancelled');
      assert.equal(cancelled.status.code, 0, 'a cancellation is not an error');
      assert.notEqual(cancelled.attributes['thread.id'], 0);
      assert.equal(
        cancelled.events.find((e) => e.name === 'exception')?.attributes['exception.type'],
        'JobCancelledError',
      );

      const timedOut = executeSpan('job-child-timeout');
      assert.equal(run.result.runs.childTimeout.done, undefined, 'the spinning child was killed');
      assert.equal(timedOut.attributes['switchyard.outcome'], 'timeout');
      assert.equal(timedOut.attributes['process.pid'], run.result.runs.childTimeout.pid);
      assert.equal(timedOut.status.code, 2);
      assert.match(timedOut.status.message ?? '', /timeout/);
    });

    it('writes trace_id and span_id on log lines inside spans, in the thread too', () => {
      const line = (msg: string) => run.logLines.find((logLine) => logLine.msg === msg);
      assert.equal(line('inside root span')?.span_id, run.result.rootSpanId);
      assert.equal(line('inside root span')?.trace_id, run.result.traceId);
      const threadLine = run.logLines.find(
        (logLine) => logLine.msg === 'task running' && logLine.mode === 'complete',
      );
      const threadSpan = executeSpan('job-thread');
      assert.ok(threadLine, 'the thread wrote no log line');
      const threadIds = run.logLines
        .filter((logLine) => logLine.msg === 'task running')
        .map((logLine) => logLine.span_id);
      assert.ok(threadIds.includes(threadSpan.spanId), 'a thread log line carries its execute span id');
      assert.equal(threadLine.trace_id, run.result.traceId);
      const httpLine = line('http handler');
      assert.equal(httpLine?.span_id, spans.find((span) => span.kind === 2)?.spanId);
      assert.equal(line('inline task running')?.span_id, executeSpan('job-inline').spanId);
    });

    it('pushes metrics over OTLP when an endpoint is set', () => {
      assert.equal(run.result.status.metricsPushed, true);
      const completed = receiver.metrics().find((metric) => metric.name === 'switchyard.jobs.completed');
      assert.ok(
        completed,
        `metrics received: ${receiver
          .metrics()
          .map((m) => m.name)
          .join(', ')}`,
      );
      assert.equal(completed.points[0].value, 1);
    });
  });
}
