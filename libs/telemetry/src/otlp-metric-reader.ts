import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import {
  PeriodicExportingMetricReader,
  type MetricProducer,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';

/** The SDK's own default (OTEL_METRIC_EXPORT_INTERVAL). */
const DEFAULT_EXPORT_INTERVAL_MS = 60_000;

/** The OTLP protocols the standard variables may name. */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/**
 * Reads an OTLP protocol variable. A wrong value fails start-up with the variable's name rather
 * than silently sending a format the collector rejects.
 */
export function otlpProtocol(env: NodeJS.ProcessEnv, signalVariable: string): OtlpProtocol {
  const variable = env[signalVariable] ? signalVariable : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const value = env[variable]?.trim() || 'http/protobuf';
  if (!(OTLP_PROTOCOLS as readonly string[]).includes(value)) {
    throw new Error(
      `${variable}="${value}" is not an OTLP protocol: use one of ${OTLP_PROTOCOLS.join(', ')}`,
    );
  }
  return value as OtlpProtocol;
}

/**
 * Pushes metrics over OTLP. The exporters read the endpoint, headers and timeout variables
 * themselves; only the protocol choice and the interval are ours to make.
 */
export function createOtlpMetricReader(
  env: NodeJS.ProcessEnv,
  /** More metrics the reader collects besides the SDK's instruments (`jobHistogramsProducer`). */
  metricProducers: MetricProducer[] = [],
): PeriodicExportingMetricReader {
  const protocol = otlpProtocol(env, 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL');
  const exporters: Record<OtlpProtocol, () => PushMetricExporter> = {
    'http/protobuf': () => new ProtoMetricExporter(),
    'http/json': () => new JsonMetricExporter(),
    grpc: () => new GrpcMetricExporter(),
  };
  const interval = Number(env.OTEL_METRIC_EXPORT_INTERVAL) || DEFAULT_EXPORT_INTERVAL_MS;
  return new PeriodicExportingMetricReader({
    exporter: exporters[protocol](),
    exportIntervalMillis: interval,
    exportTimeoutMillis: Math.min(interval, 30_000),
    metricProducers,
  });
}
