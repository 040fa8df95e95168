/**
 * The OTLP/protobuf span pipeline (`ProtobufBatchSpanProcessor`): spans from a real SDK tracer,
 * encoded as they end, sent over real HTTP to a local OTLP receiver (standing in for Jaeger),
 * decoded with protobufjs against the OTLP schema and compared with what the SDK's own
 * serializer writes for the same spans after the span allowlist.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  createTraceState,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Tracer,
} from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';
import { parse, type Type } from 'protobufjs';
import {
  allowlistedSpan,
  createOtlpProtobufSpanExporter,
  ProtobufBatchSpanProcessor,
} from '@switchyard/telemetry';
import { OTLP_PROTO } from '../../helpers/otlp-proto-schema';
import { OtlpReceiver } from '../../helpers/otlp-receiver';

const TraceRequest: Type = parse(OTLP_PROTO, { keepCase: false }).root.lookupType(
  'otlp.ExportTraceServiceRequest',
);
const CANARY = 'canary-7f3a';
const LONG = 'x'.repeat(20_000);

interface DecodedSpan {
  spanId: string;
  attributes?: { key: string }[];
  events?: { attributes?: { key: string }[] }[];
  links?: { attributes?: { key: string }[] }[];
}
interface DecodedRequest {
  resourceSpans: { resource: unknown; scopeSpans: { scope: unknown; spans: DecodedSpan[] }[] }[];
}

/** Every field, defaults included (a writer may leave proto3 zeros out), attributes in key order. */
function decode(body: Uint8Array): DecodedRequest {
  const request = TraceRequest.toObject(TraceRequest.decode(body), {
    longs: String,
    bytes: String,
    defaults: true,
    arrays: true,
  }) as DecodedRequest;
  const byKey = (list?: { key: string }[]) => list?.sort((a, b) => a.key.localeCompare(b.key));
  for (const resourceSpans of request.resourceSpans) {
    for (const scopeSpans of resourceSpans.scopeSpans) {
      scopeSpans.spans.sort((a, b) => a.spanId.localeCompare(b.spanId));
      for (const span of scopeSpans.spans) {
        byKey(span.attributes);
        for (const event of span.events ?? []) byKey(event.attributes);
        for (const link of span.links ?? []) byKey(link.attributes);
      }
    }
    resourceSpans.scopeSpans.sort((a, b) => JSON.stringify(a.scope).localeCompare(JSON.stringify(b.scope)));
  }
  return request;
}

/** A tracer whose ended spans go both to `processor` and to memory, for the SDK's serializer. */
function tracing(processor: ProtobufBatchSpanProcessor) {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'span-export-test', 'k8s.pod.name': 'pod-é' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory }), processor],
  });
  return { provider, memory, tracer: (name: string) => provider.getTracer(name, '1.2.3') };
}

/** Spans that use every part of the format, and things the allowlist must drop. */
function recordSpans(tracer: Tracer, other: Tracer): void {
  const remoteParent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: TraceFlags.SAMPLED,
    traceState: createTraceState(`vendor=${CANARY}`),
    isRemote: true,
  });
  const server = tracer.startSpan(
    'POST /v1/jobs',
    {
      kind: SpanKind.SERVER,
      startTime: [1_795_940_573, 999_999_999],
      attributes: {
        'http.route': '/v1/jobs',
        'http.response.status_code': 202,
        'url.full': `http://api/v1/jobs?token=${CANARY}`,
        'db.query.text': 'evalsha [14 args]',
        'db.statement': `evalsha ${CANARY}`,
      },
      links: [
        {
          context: {
            traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
            spanId: '00f067aa0ba902b7',
            traceFlags: TraceFlags.SAMPLED,
            traceState: createTraceState(`k=${CANARY}`),
          },
          attributes: { 'switchyard.job.id': 'job-1', 'user_agent.original': CANARY },
        },
      ],
    },
    remoteParent,
  );
  server.addEvent('exception', {
    'exception.type': 'JobTimeoutError',
    'exception.message': 'job job-1 timed out after 5000 ms',
    'exception.stacktrace': 'JobTimeoutError: job job-1 timed out after 5000 ms\n    at run (run.js:1:1)',
  });
  server.addEvent('exception', {
    'exception.type': 'TypeError',
    'exception.message': `bad ${CANARY}`,
    'exception.stacktrace': `TypeError: bad ${CANARY}\n    at handler (task.js:2:3)`,
  });
  server.setStatus({ code: SpanStatusCode.ERROR, message: `bad ${CANARY}` });
  const child = tracer.startSpan(
    'execute cpu.primes',
    {
      attributes: {
        'switchyard.text': 'héllo ✓ 𝄞',
        'switchyard.long': LONG,
        'switchyard.negative': -5,
        'switchyard.large': 2 ** 40,
        'switchyard.ratio': 3.25,
        'switchyard.flag': true,
        'switchyard.names': ['a', 'ü'],
        'switchyard.numbers': [1, 2.5, -3],
      },
    },
    trace.setSpan(ROOT_CONTEXT, server),
  );
  child.end([1_795_940_574, 5]);
  server.end([1_795_940_575, 0]);
  other.startSpan('publish io', { kind: SpanKind.PRODUCER, startTime: [0, 1] }).end([1, 0]);
  other.startSpan(
    'unsampled',
    {},
    trace.setSpanContext(ROOT_CONTEXT, { ...server.spanContext(), traceFlags: 0 }),
  );
}

describe('ProtobufBatchSpanProcessor', () => {
  let receiver: OtlpReceiver;

  before(async () => {
    receiver = await OtlpReceiver.start();
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `${receiver.endpoint}/v1/traces`;
  });

  after(() => receiver.close());

  it('writes what the SDK’s OTLP serializer writes for the allowlisted spans', async () => {
    const bodies: Uint8Array[] = [];
    const exporter = createOtlpProtobufSpanExporter();
    const processor = new ProtobufBatchSpanProcessor({
      export: (batch) => {
        bodies.push(batch.body);
        return exporter.export(batch);
      },
      shutdown: () => exporter.shutdown(),
    });
    const { provider, memory, tracer } = tracing(processor);
    recordSpans(tracer('switchyard-api'), tracer('switchyard-queue'));
    await provider.forceFlush();
    const ended: ReadableSpan[] = memory.getFinishedSpans().filter((span) => span.spanContext().traceFlags);
    await provider.shutdown();

    const expected = ProtobufTraceSerializer.serializeRequest(ended.map(allowlistedSpan));
    assert.ok(expected);
    assert.equal(bodies.length, 1);
    assert.deepEqual(decode(bodies[0]), decode(expected));
    assert.ok(!Buffer.from(bodies[0]).includes(CANARY), 'the canary left the process');
    const received = receiver.spans().map((span) => span.name);
    assert.deepEqual(received.sort(), ['POST /v1/jobs', 'execute cpu.primes', 'publish io']);
  });

  it('sends a batch as soon as it is full, the rest when flushed, and nothing after shutdown', async () => {
    const before = receiver.requests().length;
    const processor = new ProtobufBatchSpanProcessor(createOtlpProtobufSpanExporter(), {
      maxExportBatchSize: 3,
      scheduledDelayMillis: 60_000,
    });
    const { provider, tracer } = tracing(processor);
    const names = Array.from({ length: 7 }, (_, index) => `batched ${index}`);
    for (const name of names) tracer('batching').startSpan(name).end();
    await receiver.waitForSpans(
      (spans) => spans.filter((span) => span.name.startsWith('batched')).length >= 6,
    );
    assert.equal(receiver.requests().length - before, 2, 'two full batches went without waiting');
    await provider.shutdown();
    tracer('batching').startSpan('batched after shutdown').end();
    await processor.forceFlush();
    const batched = receiver.spans().filter((span) => span.name.startsWith('batched'));
    assert.deepEqual(batched.map((span) => span.name).sort(), names);
    assert.equal(receiver.requests().length - before, 3);
  });

  it('gives up on a collector that never answers after the export timeout', async () => {
    const silent = http.createServer(() => undefined);
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as AddressInfo;
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `http://127.0.0.1:${port}/v1/traces`;
    // The transport's own deadline, past which it stops retrying: shutdown waits for it.
    process.env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT = '1000';
    try {
      const processor = new ProtobufBatchSpanProcessor(createOtlpProtobufSpanExporter(), {
        exportTimeoutMillis: 300,
      });
      const { tracer } = tracing(processor);
      tracer('silent').startSpan('never received').end();
      const started = Date.now();
      await processor.forceFlush();
      assert.ok(Date.now() - started < 5_000, `the flush took ${Date.now() - started} ms`);
      await processor.shutdown();
      assert.ok(Date.now() - started < 10_000, `the shutdown took ${Date.now() - started} ms`);
    } finally {
      delete process.env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT;
      process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `${receiver.endpoint}/v1/traces`;
      silent.closeAllConnections();
      silent.close();
    }
  });
});
