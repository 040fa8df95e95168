import { getNumberFromEnv } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { createOtlpProtobufSpanExporter } from './export/otlp-protobuf-span-exporter';
import { ProtobufBatchSpanProcessor, type SpanBatchOptions } from './export/protobuf-batch-span-processor';
import { otlpProtocol, type OtlpProtocol } from './otlp-metric-reader';
import { AllowlistSpanProcessor } from './redaction/allowlist-span-processor';

const TRACE_EXPORTERS = ['otlp', 'console'] as const;

/** The `OTEL_BSP_*` variables the SDK documents; unset ones keep the SDK's defaults. */
function batchOptions(env: NodeJS.ProcessEnv): SpanBatchOptions {
  const read = (name: string, minimum: number): number | undefined => {
    const value = getNumberFromEnv(name);
    if (value !== undefined && (!Number.isInteger(value) || value < minimum)) {
      throw new Error(`${name}="${env[name]}" must be an integer of at least ${minimum}`);
    }
    return value;
  };
  return {
    maxQueueSize: read('OTEL_BSP_MAX_QUEUE_SIZE', 1),
    scheduledDelayMillis: read('OTEL_BSP_SCHEDULE_DELAY', 0),
    exportTimeoutMillis: read('OTEL_BSP_EXPORT_TIMEOUT', 1),
    maxExportBatchSize: read('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 1),
  };
}

/**
 * The OTLP exporter for the protocol the variables name, behind the span allowlist. http/protobuf
 * (the default) encodes each span as it ends (`ProtobufBatchSpanProcessor`); http/json and grpc
 * keep the SDK's batch processor and exporters.
 */
function otlpProcessor(env: NodeJS.ProcessEnv): SpanProcessor {
  const protocol: OtlpProtocol = otlpProtocol(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL');
  if (protocol === 'http/protobuf') {
    return new ProtobufBatchSpanProcessor(createOtlpProtobufSpanExporter(), batchOptions(env));
  }
  const exporter: SpanExporter = protocol === 'grpc' ? new GrpcTraceExporter() : new JsonTraceExporter();
  return new AllowlistSpanProcessor(new BatchSpanProcessor({ exporter, ...batchOptions(env) }));
}

/**
 * The span processors for `OTEL_TRACES_EXPORTER` (`otlp`, the default, and/or `console`), each
 * behind the span allowlist. Built here rather than by the SDK from the same variables
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
  return (names.length > 0 ? names : ['otlp']).map((name) =>
    name === 'console'
      ? new AllowlistSpanProcessor(new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() }))
      : otlpProcessor(env),
  );
}
