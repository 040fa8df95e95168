import { diag, DiagConsoleLogger, DiagLogLevel, metrics } from '@opentelemetry/api';
import { getBooleanFromEnv } from '@opentelemetry/core';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { IncomingMessage } from 'node:http';
import { releaseContextManager } from './context-manager';
import { handoverIds } from './handover-id-generator';
import { installRecordedSpanSink, RecordedSpanSink } from './export/recorded-span-sink';
import { createOtlpMetricReader } from './otlp-metric-reader';
import { registerProcessMetrics } from './process-metrics';
import { withPrometheusNames } from './prometheus-names';
import { jobHistogramsProducer } from './switchyard-metrics';
import { METRIC_ATTRIBUTES_VIEW } from './redaction/metric-attributes';
import { redisQueryText } from './redaction/redis-query-text';
import { createSpanProcessors } from './span-processors';
import { baseResource, findServiceVersion } from './telemetry-resource';

export interface TelemetryOptions {
  /** `service.name`, e.g. `switchyard-api`; `OTEL_SERVICE_NAME` overrides it. */
  serviceName: string;
  /** `service.version`. @defaultValue the version in the nearest package.json */
  serviceVersion?: string;
  /**
   * Request paths (without query) that get no HTTP server span: probes and scrapes would
   * otherwise bury the job traces. @defaultValue ['/metrics', '/stats', '/health', '/healthz', '/readyz', '/livez']
   */
  untracedPaths?: readonly string[];
  /**
   * GET request paths (without query) that get no HTTP server span: a client polling a job, following
   * its events or paging the list would open a new trace per read, and Jaeger would show polls instead of
   * jobs. Submissions, retries and cancels are not GETs: they stay traced.
   * @defaultValue the api's job reads: /v1/jobs, /v1/jobs/:id, /v1/jobs/:id/events
   */
  untracedReads?: readonly RegExp[];
  /**
   * Spans for Redis commands that run under another span. A consumer's are BullMQ's own
   * bookkeeping inside every job's consumer span: several spans per job that say nothing about the
   * job and cost throughput, so the consumers turn them off. @defaultValue true
   */
  redisCommandSpans?: boolean;
}

/** What `startTelemetry` turned on, for a start-up log line. */
export interface TelemetryStatus {
  /** False when `OTEL_SDK_DISABLED=true`: nothing is recorded and `/metrics` is empty. */
  enabled: boolean;
  /** Spans are recorded and exported: an OTLP endpoint (or `OTEL_TRACES_EXPORTER`) is set. */
  tracing: boolean;
  /** Metrics are also pushed over OTLP; they are always served as Prometheus text. */
  metricsPushed: boolean;
  /** The service name asked for (`OTEL_SERVICE_NAME`, when set, is what the resource carries). */
  serviceName: string;
}

const DEFAULT_UNTRACED_PATHS = ['/metrics', '/stats', '/health', '/healthz', '/readyz', '/livez'];
const DEFAULT_UNTRACED_READS = [
  /^\/v1\/jobs\/?$/,
  /^\/v1\/jobs\/[^/]+\/?$/,
  /^\/v1\/jobs\/[^/]+\/events\/?$/,
];
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

interface RunningTelemetry {
  status: TelemetryStatus;
  sdk?: NodeSDK;
  prometheus?: PrometheusExporter;
}

let running: RunningTelemetry | undefined;
let stopping: Promise<void> | undefined;
const serializer = new PrometheusSerializer();

function tracingWanted(env: NodeJS.ProcessEnv): boolean {
  const exporter = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporter === 'none') return false;
  return Boolean(exporter || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT);
}

function metricsPushWanted(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_METRICS_EXPORTER?.trim() === 'none') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT);
}

function untracedRequest(
  paths: readonly string[],
  reads: readonly RegExp[],
): (request: IncomingMessage) => boolean {
  return (request) => {
    const path = (request.url ?? '').split('?', 1)[0];
    return paths.includes(path) || (request.method === 'GET' && reads.some((read) => read.test(path)));
  };
}

/**
 * Starts the OpenTelemetry Node SDK once per process; later calls return the first status.
 * Call it before anything else is imported (each app's `main.ts` imports `./instrument` first),
 * so the HTTP and ioredis instrumentations can patch those modules as they load.
 *
 * Configured by the standard variables: `OTEL_EXPORTER_OTLP_(TRACES_|METRICS_)ENDPOINT`,
 * `OTEL_EXPORTER_OTLP_(TRACES_|METRICS_)PROTOCOL` (`http/protobuf` default, `http/json`, `grpc`),
 * `OTEL_TRACES_SAMPLER`/`_ARG`, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_SDK_DISABLED`.
 * With no endpoint there is no tracer provider, no span exporter and no HTTP/ioredis
 * instrumentation: spans cost nothing. Metrics are always collected for `renderPrometheus()`.
 * Exported spans carry only allowlisted attributes (`redaction/span-allowlist.ts`), Redis spans
 * the command name only, metrics only allowlisted labels: nothing a client sent leaves the process.
 * @throws Error naming the variable when an OTLP protocol variable or `OTEL_TRACES_EXPORTER`
 *   holds an unknown value.
 */
export function startTelemetry(options: TelemetryOptions): TelemetryStatus {
  if (running) return running.status;
  const env = process.env;
  const status: TelemetryStatus = {
    enabled: !getBooleanFromEnv('OTEL_SDK_DISABLED'),
    tracing: false,
    metricsPushed: false,
    serviceName: options.serviceName,
  };
  if (!status.enabled) {
    running = { status };
    return status;
  }
  status.tracing = tracingWanted(env);
  status.metricsPushed = metricsPushWanted(env);
  if (!env.OTEL_LOG_LEVEL) diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);
  // Every exported span goes through the span allowlist; none at all: no tracer provider.
  const spanProcessors = status.tracing ? createSpanProcessors(env) : [];
  const sink = status.tracing ? RecordedSpanSink.forSampler(env, [...spanProcessors]) : undefined;
  if (sink) {
    installRecordedSpanSink(sink);
    spanProcessors.unshift(sink);
  }

  // The job histograms record outside the SDK (no attribute hashing per record) and always hold
  // cumulative data: where an OTLP push asks for delta temporality, the SDK's own histograms serve.
  const metricProducers = cumulativePushOnly(env, status.metricsPushed) ? [jobHistogramsProducer()] : [];
  const prometheus = new PrometheusExporter({ preventServerStart: true, metricProducers });
  const traceInstrumentations = status.tracing
    ? [
        new HttpInstrumentation({
          ignoreIncomingRequestHook: untracedRequest(
            options.untracedPaths ?? DEFAULT_UNTRACED_PATHS,
            options.untracedReads ?? DEFAULT_UNTRACED_READS,
          ),
        }),
        ...(options.redisCommandSpans === false
          ? []
          : [new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: redisQueryText })]),
      ]
    : [];
  const sdk = new NodeSDK({
    resource: baseResource(options.serviceName, options.serviceVersion ?? findServiceVersion(), env),
    metricReaders: status.metricsPushed
      ? [prometheus, createOtlpMetricReader(env, metricProducers)]
      : [prometheus],
    views: [METRIC_ATTRIBUTES_VIEW],
    spanProcessors,
    logRecordProcessors: [],
    idGenerator: handoverIds,
    instrumentations: [...traceInstrumentations, new RuntimeNodeInstrumentation()],
  });
  releaseContextManager();
  sdk.start();
  registerProcessMetrics(metrics.getMeter('switchyard-process'));
  running = { status, sdk, prometheus };
  return status;
}

/** False when metrics are pushed over OTLP with a temporality preference other than cumulative. */
function cumulativePushOnly(env: NodeJS.ProcessEnv, metricsPushed: boolean): boolean {
  const preference = env.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE?.trim().toLowerCase();
  return !metricsPushed || !preference || preference === 'cumulative';
}

/** True once `startTelemetry` has run with the SDK enabled. */
export function isTelemetryStarted(): boolean {
  return running?.sdk !== undefined;
}

/**
 * Every metric of this process in the Prometheus text format, for the service's own `/metrics`
 * route (serve it with `PROMETHEUS_CONTENT_TYPE`), named by the Prometheus conventions (unit suffixes
 * such as `_seconds`, `_bytes`, `_ratio`; `_total` on counters). Empty before `startTelemetry` or when disabled.
 */
export async function renderPrometheus(): Promise<string> {
  if (!running?.prometheus) return '';
  const { resourceMetrics, errors } = await running.prometheus.collect();
  for (const error of errors) diag.warn('a metric callback failed while rendering /metrics', error);
  return serializer.serialize(withPrometheusNames(resourceMetrics));
}

/** Flushes spans and metrics and shuts the SDK down; safe to call twice, and without a start. */
export function shutdownTelemetry(): Promise<void> {
  stopping ??= running?.sdk?.shutdown() ?? Promise.resolve();
  return stopping;
}
