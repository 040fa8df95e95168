/**
 * Producer → consumer → execute across a real BullMQ queue on the real Redis, with the real SDK
 * exporting to a local OTLP receiver (standing in for Jaeger, which cannot run here).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OtlpReceiver, type ReceivedSpan } from '../../helpers/otlp-receiver';
import { runNodeFixture, type FixtureRun } from '../../helpers/run-node-fixture';

interface QueueFixtureResult {
  traceId: string;
  okJobId: string;
  failJobId: string;
  cancelJobId: string;
}

const FIXTURE = path.join(__dirname, 'fixtures', 'queue-fixture.js');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('bullmqTelemetry: a job keeps one trace from the request to its execute span', () => {
  let receiver: OtlpReceiver;
  let run: FixtureRun<QueueFixtureResult>;
  let spans: ReceivedSpan[];

  const jobSpans = (jobId: string, name: string) =>
    spans.filter((span) => span.name === name && span.attributes['messaging.message.id'] === jobId);

  before(async () => {
    receiver = await OtlpReceiver.start();
    run = await runNodeFixture<QueueFixtureResult>(FIXTURE, {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    spans = await receiver.waitForSpans(
      (received) => received.filter((span) => span.name === 'process io').length >= 4,
    );
  });

  after(() => receiver.close());

  it('names the producer span publish <lane> and parents the consumer span on it', () => {
    const root = spans.find((span) => span.name === 'POST /v1/jobs');
    assert.ok(root);
    const [publish] = jobSpans(run.result.okJobId, 'publish io');
    assert.ok(publish, `no publish span; got ${spans.map((span) => span.name).join(', ')}`);
    assert.equal(publish.kind, 4, 'producer');
    assert.equal(publish.parentSpanId, root.spanId);
    assert.equal(publish.attributes['messaging.system'], 'bullmq');
    assert.equal(publish.attributes['messaging.system.name'], 'bullmq');
    assert.equal(publish.attributes['messaging.destination.name'], 'io');
    assert.equal(publish.attributes['messaging.operation.type'], 'send');
    assert.equal(publish.attributes['server.address'], new URL(REDIS_URL).hostname);
    assert.equal(publish.attributes['messaging.batch.message_count'], undefined, 'one message');
    const [processSpan] = jobSpans(run.result.okJobId, 'process io');
    assert.equal(processSpan.kind, 5, 'consumer');
    assert.equal(processSpan.traceId, run.result.traceId);
    assert.equal(processSpan.parentSpanId, publish.spanId);
    const execute = spans.find((span) => span.attributes['switchyard.job.id'] === run.result.okJobId);
    assert.equal(execute?.name, 'execute io.sleep');
    assert.equal(execute?.parentSpanId, processSpan.spanId);
  });

  it('shows each attempt of a failing job as its own consumer span with error status and error.type', () => {
    const attempts = jobSpans(run.result.failJobId, 'process io');
    assert.equal(attempts.length, 2);
    for (const attempt of attempts) {
      assert.equal(attempt.traceId, run.result.traceId);
      assert.equal(attempt.status.code, 2);
      assert.equal(attempt.attributes['error.type'], 'DiagnosticCrashError');
      assert.equal(attempt.status.message, undefined, "the failed reason is the job's own error text");
    }
    const executes = spans.filter((span) => span.attributes['switchyard.job.id'] === run.result.failJobId);
    assert.deepEqual(executes.map((span) => span.attributes['switchyard.attempt']).sort(), [1, 2]);
  });

  it('keeps a cancelled attempt UNSET: a client’s choice, not an error', () => {
    const [cancelled] = jobSpans(run.result.cancelJobId, 'process io');
    assert.ok(cancelled, 'a process span for the cancelled job');
    assert.equal(cancelled.status.code, 0);
    assert.equal(cancelled.attributes['switchyard.outcome'], 'cancelled');
    assert.equal(cancelled.attributes['error.type'], undefined);
  });

  it('keeps on a consumer span the messaging attributes and the job’s ids, and no completed event', () => {
    const [processSpan] = jobSpans(run.result.okJobId, 'process io');
    assert.deepEqual(Object.keys(processSpan.attributes).sort(), [
      'bullmq.job.attempts.made',
      'bullmq.job.name',
      'messaging.destination.name',
      'messaging.message.id',
      'messaging.operation.name',
      'messaging.operation.type',
      'messaging.system',
      'messaging.system.name',
      'server.address',
      'server.port',
    ]);
    assert.equal(processSpan.attributes['messaging.operation.type'], 'process');
    assert.deepEqual(processSpan.events, []);
    for (const attempt of jobSpans(run.result.failJobId, 'process io')) {
      assert.deepEqual(
        attempt.events.map((event) => [event.name, event.attributes]),
        [['job failed', {}]],
      );
    }
  });

  it('records Redis commands only under a parent span', () => {
    const redisSpans = spans.filter((span) => span.scope.includes('ioredis'));
    assert.ok(redisSpans.length > 0, 'the enqueue inside the request made Redis spans');
    for (const span of redisSpans) assert.ok(span.parentSpanId, `${span.name} has no parent`);
  });
});
