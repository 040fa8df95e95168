export * from './worker';
export {
  startTelemetry,
  shutdownTelemetry,
  renderPrometheus,
  isTelemetryStarted,
  PROMETHEUS_CONTENT_TYPE,
  type TelemetryOptions,
  type TelemetryStatus,
} from './start-telemetry';
export { injectTraceContext, isSampled, traceIdOf } from './trace-propagation';
export { bullmqTelemetry, bullmqTelemetryWhenTracing, type BullmqTelemetryOptions } from './queue-telemetry';
export {
  startBatchJobTraces,
  type BatchJob,
  type BatchJobTraces,
  type BatchJobTracesOptions,
} from './batch-job-traces';
export { MessagingAttributes, MESSAGING_SYSTEM, messagingServerOf } from './messaging-attributes';
export { setHttpRoute } from './http-route';
export { untraced } from './untraced';
export { ProtobufBatchSpanProcessor, type SpanBatchOptions } from './export/protobuf-batch-span-processor';
export {
  createOtlpProtobufSpanExporter,
  type EncodedSpans,
  type EncodedSpanExporter,
} from './export/otlp-protobuf-span-exporter';
export { allowlistedSpan } from './redaction/span-allowlist';
export { exportExecuteSpan, abandonExecuteSpan, reviseExecuteSpan } from './export-execute-span';
export {
  SwitchyardMetrics,
  switchyardMetrics,
  type PoolStats,
  type LaneDepth,
  type JobLabels,
  type ObservedJob,
  type LaneAttemptObserver,
  isLastAttempt,
  UNKNOWN_TASK_LABEL,
} from './switchyard-metrics';
export { RuntimeStats, type RuntimeStatsOptions, type RuntimeStatsSnapshot } from './runtime-stats';
export { NestPinoLogger } from './nest-pino-logger';
export {
  logConnectionErrors,
  type ConnectionErrorLogOptions,
  type ErrorEmitter,
} from './connection-error-log';
