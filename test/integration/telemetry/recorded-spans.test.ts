/**
 * Spans recorded as plain data (`RecordedSpanSink`: the execute spans threads hand over, the api's
 * `create <lane>` span per job of a batch) skip the SDK's tracer on their way to the exporting
 * processors. These tests send them over real HTTP to a local OTLP receiver (standing in for Jaeger)
 * and check that what arrives is what the SDK path sends for the same spans: the same names, kinds,
 * parents, attributes (after the allowlist), links, events, status and resource.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { createOtlpProtobufSpanExporter, ProtobufBatchSpanProcessor } from '@switchyard/telemetry';
import { recordedJobSpans, sdkJobSpans } from '../../../libs/telemetry/src/batch-job-spans';
import { RecordedSpanSink, type RecordedSpan } from '../../../libs/telemetry/src/export/recorded-span-sink';
import { OtlpReceiver, type ReceivedSpan } from '../../helpers/otlp-receiver';

const JOBS = [
  { id: 'job-a', task: 'io.sleep', lane: 'io', profile: 'io' },
  { id: 'job-b', task: 'cpu.primes', lane: 'cpu', profile: 'cpu' },
];
const MESSAGING = { 'messaging.system': 'bullmq', 'messaging.system.name': 'bullmq' };
const PARENT = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' };

/** A provider exporting over OTLP/protobuf with the sink first, as `startTelemetry` builds it. */
function pipeline(service: string, sampler: string | undefined) {
  const processor = new ProtobufBatchSpanProcessor(createOtlpProtobufSpanExporter());
  const sink = RecordedSpanSink.forSampler({ OTEL_TRACES_SAMPLER: sampler }, [processor]);
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: sink ? [sink, processor] : [processor],
  });
  return { sink, provider, tracer: provider.getTracer('switchyard-api') };
}

function executeRecord(spanId: string, traceFlags: number): RecordedSpan {
  return {
    name: 'execute cpu.primes',
    kind: SpanKind.INTERNAL,
    scope: { name: 'switchyard-execution' },
    traceId: PARENT.traceId,
    spanId,
    parentSpanId: PARENT.spanId,
    traceFlags,
    startTime: [1_795_940_573, 5_000],
    endTime: [1_795_940_573, 905_000],
    attributes: { 'switchyard.job.id': 'job-1', 'switchyard.execution.model': 'worker-threads' },
    events: [
      { name: 'exception', time: [1_795_940_573, 900_000], attributes: { 'exception.type': 'Error' } },
    ],
    links: [],
    status: { code: SpanStatusCode.ERROR, message: 'failed' },
  };
}

/** What a user sees of a span, without its own ids and times. */
function shape(span: ReceivedSpan) {
  return {
    name: span.name,
    kind: span.kind,
    parent: span.parentSpanId,
    attributes: span.attributes,
    links: span.links.map((link) => link.spanId),
    events: span.events.map((event) => ({ name: event.name, keys: Object.keys(event.attributes).sort() })),
    status: span.status,
    resource: span.resource['service.name'],
    scope: span.scope,
  };
}

describe('spans recorded as plain data, exported without the SDK tracer', () => {
  let receiver: OtlpReceiver;

  before(async () => {
    receiver = await OtlpReceiver.start();
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `${receiver.endpoint}/v1/traces`;
  });

  after(async () => {
    delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
    await receiver.close();
  });

  it('an execute span arrives with its ids, parent, times, attributes, event, status and resource', async () => {
    const { sink, provider, tracer } = pipeline('recorded-execute', undefined);
    assert.ok(sink, 'the default sampler (parentbased_always_on) allows the sink');
    assert.equal(sink.export(executeRecord('1111111111111111', 1)), false, 'no resource known before a span');
    tracer.startSpan('first span').end();
    assert.equal(sink.export(executeRecord('2222222222222222', TraceFlags.SAMPLED)), true);
    assert.equal(sink.export(executeRecord('3333333333333333', TraceFlags.NONE)), true);
    await provider.shutdown();

    const spans = receiver.spans().filter((span) => span.resource['service.name'] === 'recorded-execute');
    assert.deepEqual(spans.map((span) => span.spanId).sort(), ['2222222222222222', spans[0].spanId].sort());
    const execute = spans.find((span) => span.spanId === '2222222222222222');
    assert.ok(execute);
    assert.equal(execute.traceId, PARENT.traceId);
    assert.equal(execute.parentSpanId, PARENT.spanId);
    assert.equal(execute.startTimeUnixNano, 1_795_940_573_000_005_000n);
    assert.equal(execute.endTimeUnixNano, 1_795_940_573_000_905_000n);
    assert.deepEqual(shape(execute), {
      name: 'execute cpu.primes',
      kind: 1,
      parent: PARENT.spanId,
      attributes: { 'switchyard.job.id': 'job-1', 'switchyard.execution.model': 'worker-threads' },
      links: [],
      events: [{ name: 'exception', keys: ['exception.type'] }],
      // The allowlist keeps no free text: the message is the recorded exception's type.
      status: { code: 2, message: 'Error' },
      resource: 'recorded-execute',
      scope: 'switchyard-execution',
    });
  });

  it('follows the sampler: always_on records an unsampled parent’s child, always_off nothing, ratios go through the SDK', async () => {
    assert.equal(RecordedSpanSink.forSampler({ OTEL_TRACES_SAMPLER: 'traceidratio' }, []), undefined);
    assert.equal(
      RecordedSpanSink.forSampler({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio' }, []),
      undefined,
    );
    for (const [sampler, expected] of [
      ['always_on', ['4444444444444444']],
      ['always_off', []],
    ] as const) {
      const { sink, provider } = pipeline(`recorded-${sampler}`, sampler);
      assert.ok(sink);
      // The provider's own sampler (the default) records this one: the sink learns the resource from it.
      provider.getTracer('t').startSpan('first span').end();
      assert.equal(sink.recordsRoots, sampler === 'always_on');
      sink.export(executeRecord('4444444444444444', TraceFlags.NONE));
      await provider.shutdown();
      const ids = receiver
        .spans()
        .filter(
          (span) =>
            span.resource['service.name'] === `recorded-${sampler}` && span.name.startsWith('execute'),
        )
        .map((span) => span.spanId);
      assert.deepEqual(ids, expected, sampler);
    }
  });

  for (const failure of [undefined, new TypeError('the batch was not written')]) {
    it(`a batch's create spans match the SDK's ${failure ? 'when the write failed' : 'when written'}`, async () => {
      const service = `batch-${failure ? 'failed' : 'written'}`;
      const sdk = pipeline(`${service}-sdk`, undefined);
      const recorded = pipeline(`${service}-recorded`, undefined);
      const request = sdk.tracer.startSpan('POST /v1/jobs/batch');
      recorded.tracer.startSpan('first span').end();
      assert.ok(recorded.sink?.recordsRoots);
      const toBatch = [{ context: request.spanContext() }];
      const basis = { messaging: MESSAGING, toBatch };
      const spans = [
        sdkJobSpans(JOBS, {
          ...basis,
          tracer: sdk.tracer,
          batchContext: trace.setSpan(ROOT_CONTEXT, request),
        }),
        recordedJobSpans(JOBS, { ...basis, sink: recorded.sink }),
      ];
      for (const jobSpans of spans) {
        assert.equal(jobSpans.contexts.length, JOBS.length);
        for (const context of jobSpans.contexts) assert.equal(context.traceFlags, TraceFlags.SAMPLED);
        assert.equal(new Set(jobSpans.contexts.map((context) => context.traceId)).size, JOBS.length);
        jobSpans.end(failure);
      }
      request.end();
      await Promise.all([sdk.provider.shutdown(), recorded.provider.shutdown()]);

      const creates = (name: string) =>
        receiver
          .spans()
          .filter((span) => span.resource['service.name'] === name && span.name.startsWith('create '))
          .map((span) => ({ ...shape(span), resource: undefined, parent: span.parentSpanId ?? 'root' }))
          .sort((a, b) => a.name.localeCompare(b.name));
      const fromSdk = creates(`${service}-sdk`);
      assert.equal(fromSdk.length, JOBS.length);
      assert.deepEqual(creates(`${service}-recorded`), fromSdk);
      assert.equal(fromSdk[0].status.code, failure ? 2 : 0);
      assert.equal(fromSdk[0].attributes['error.type'], failure ? 'TypeError' : undefined);
    });
  }
});
