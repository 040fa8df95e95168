import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An OTLP/HTTP endpoint that accepts every export and decodes nothing: it stands in for Jaeger without
 * taking CPU from the processes measured (a decoding receiver in the bench's process would share their
 * two cores). Counts what arrived, so a run can check that spans were in fact exported.
 */
export class OtlpSink {
  /** Requests and bytes received per path (`/v1/traces`, `/v1/metrics`). */
  readonly received = new Map<string, { requests: number; bytes: number }>();

  private readonly server = http.createServer((request, response) => {
    let bytes = 0;
    request.on('data', (chunk: Buffer) => (bytes += chunk.length));
    request.on('end', () => {
      const path = (request.url ?? '').split('?', 1)[0];
      const tally = this.received.get(path) ?? { requests: 0, bytes: 0 };
      tally.requests++;
      tally.bytes += bytes;
      this.received.set(path, tally);
      // An empty ExportServiceResponse: everything accepted.
      response.writeHead(200, {
        'content-type': request.headers['content-type'] ?? 'application/x-protobuf',
      });
      response.end();
    });
  });

  private constructor() {}

  static async start(): Promise<OtlpSink> {
    const sink = new OtlpSink();
    sink.server.listen(0, '127.0.0.1');
    await once(sink.server, 'listening');
    return sink;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The environment that makes a Switchyard process trace every job (100 %) to this sink over OTLP/protobuf. */
  tracingEnv(): Record<string, string> {
    return {
      OTEL_EXPORTER_OTLP_ENDPOINT: this.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_TRACES_SAMPLER: 'always_on',
    };
  }

  /** Bytes of spans received so far. */
  get traceBytes(): number {
    return this.received.get('/v1/traces')?.bytes ?? 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
