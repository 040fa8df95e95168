import { getNumberFromEnv } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { otlpProtocol, type OtlpProtocol } from './otlp-metric-reader';
import { AllowlistSpanProcessor } from './redaction/allowlist-span-processor';

const TRACE_EXPORTERS = ['otlp', 'console'] as const;

function otlpTraceExporter(env: NodeJS.ProcessEnv): SpanExporter {
  const exporters: Record<OtlpProtocol, () => SpanExporter> = {
    'http/protobuf': () => new ProtoTraceExporter(),
    'http/json': () => new JsonTraceExporter(),
    grpc: () => new GrpcTraceExporter(),
  };
  return exporters[otlpProtocol(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL')]();
}

/** The SDK's batching, with the `OTEL_BSP_*` variables it documents. */
function batchProcessor(exporter: SpanExporter): SpanProcessor {
  return new BatchSpanProcessor({
    exporter,
    maxQueueSize: getNumberFromEnv('OTEL_BSP_MAX_QUEUE_SIZE'),
    scheduledDelayMillis: getNumberFromEnv('OTEL_BSP_SCHEDULE_DELAY'),
    exportTimeoutMillis: getNumberFromEnv('OTEL_BSP_EXPORT_TIMEOUT'),
    maxExportBatchSize: getNumberFromEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
  });
}

/**
 * The span processors for `OTEL_TRACES_EXPORTER` (`otlp`, the default, and/or `console`), each
 * behind an `AllowlistSpanProcessor`. Built here rather than by the SDK from the same variables
 * because the SDK offers no way to wrap the processors it builds.
 * @throws Error naming the variable for any other exporter name.
 */
export function createSpanProcessors(env: NodeJS.ProcessEnv): SpanProcessor[] {
  const listed = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((name) => name.trim());
  const names = [...new Set(listed.filter((name) => name !== '' && name !== 'none'))];
  const unknown = names.filter((name) => !(TRACE_EXPORTERS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `OTEL_TRACES_EXPORTER="${env.OTEL_TRACES_EXPORTER}" names an exporter Switchyard does not build: use ${TRACE_EXPORTERS.join(', ')} or none`,
    );
  }
  return (names.length > 0 ? names : ['otlp']).map(
    (name) =>
      new AllowlistSpanProcessor(
        name === 'console'
          ? new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() })
          : batchProcessor(otlpTraceExporter(env)),
      ),
  );
}
