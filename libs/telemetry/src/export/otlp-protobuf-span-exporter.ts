import { ExportResultCode } from '@opentelemetry/core';
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
} from '@opentelemetry/otlp-exporter-base/node-http';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';

/** One OTLP/protobuf `ExportTraceServiceRequest`, already encoded. */
export interface EncodedSpans {
  body: Uint8Array;
  /** How many spans it holds, for the exporter's own metrics. */
  spanCount: number;
}

/** Where a `ProtobufBatchSpanProcessor` sends its encoded batches. */
export interface EncodedSpanExporter {
  /** Resolves once the collector accepted the batch; rejects with why it did not. */
  export(batch: EncodedSpans): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The SDK's OTLP/HTTP transport (endpoint, headers, timeout, compression, retries and the
 * keep-alive agent, all from the standard `OTEL_EXPORTER_OTLP_*` variables, as
 * `@opentelemetry/exporter-trace-otlp-proto` reads them) behind a serializer that passes the
 * already-encoded request through.
 */
export function createOtlpProtobufSpanExporter(): EncodedSpanExporter {
  const delegate = createOtlpHttpExportDelegate<EncodedSpans, unknown>(
    convertLegacyHttpOptions({}, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
    {
      serializeRequest: (batch) => batch.body,
      deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
    },
    'otlp_http_span_exporter',
    { name: 'span', countItems: (batch) => batch.spanCount },
    undefined,
  );
  return {
    export: (batch) =>
      new Promise((resolve, reject) =>
        delegate.export(batch, (result) =>
          result.code === ExportResultCode.SUCCESS
            ? resolve()
            : reject(result.error ?? new Error('the OTLP span export failed')),
        ),
      ),
    shutdown: () => delegate.shutdown(),
  };
}
