/**
 * The span-export thread's entry (`ThreadSpanExporter`): sends the encoded batches it is handed with
 * the SDK's OTLP/HTTP transport, configured by the same `OTEL_EXPORTER_OTLP_*` variables (a thread
 * starts with a copy of its process's environment), and answers each with its outcome.
 */
import { parentPort } from 'node:worker_threads';
import { createOtlpProtobufSpanExporter } from './otlp-protobuf-span-exporter';
import type { SpanExportReply, SpanExportRequest } from './span-export-messages';

const port = parentPort;
if (!port) throw new Error('span-export-thread.worker runs only as a worker thread');
const exporter = createOtlpProtobufSpanExporter();

port.on('message', (request: SpanExportRequest) => {
  const done = request.kind === 'export' ? exporter.export(request) : exporter.shutdown();
  done.then(
    () => port.postMessage({ id: request.id } satisfies SpanExportReply),
    (error: unknown) =>
      port.postMessage({
        id: request.id,
        error: error instanceof Error ? error.message : String(error),
      } satisfies SpanExportReply),
  );
});
