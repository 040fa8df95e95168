/**
 * A local OTLP/HTTP receiver for tests. It stands in for Jaeger (or any collector), which cannot
 * run here: the real OpenTelemetry exporters send to it exactly what they would send to Jaeger's
 * port 4318, and it decodes that, so tests assert on the spans a user would see.
 *
 * Accepts `POST /v1/traces` and `POST /v1/metrics` as `application/x-protobuf` (decoded with
 * protobufjs against the OTLP schema in `otlp-proto-schema.ts`) or `application/json`, gzipped
 * or not. Ids come out as hex whatever the encoding (protobuf bytes, JSON hex).
 */
import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { parse, type Type } from 'protobufjs';
import { OTLP_PROTO } from './otlp-proto-schema';
import {
  flattenMetrics,
  flattenSpans,
  type OtlpEncoding,
  type OtlpMetricsRequest,
  type OtlpTraceRequest,
  type ReceivedMetric,
  type ReceivedRequest,
  type ReceivedSpan,
} from './otlp-payload';

export type {
  OtlpEncoding,
  ReceivedMetric,
  ReceivedMetricPoint,
  ReceivedRequest,
  ReceivedSpan,
} from './otlp-payload';

const root = parse(OTLP_PROTO, { keepCase: false }).root;
const TraceRequest: Type = root.lookupType('otlp.ExportTraceServiceRequest');
const MetricsRequest: Type = root.lookupType('otlp.ExportMetricsServiceRequest');
const TO_OBJECT = { longs: String, bytes: String, defaults: false } as const;

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
}

export class OtlpReceiver {
  readonly #spans: ReceivedSpan[] = [];
  readonly #metrics: ReceivedMetric[] = [];
  readonly #requests: ReceivedRequest[] = [];
  readonly #arrivals = new Set<() => void>();
  #closing?: Promise<void>;

  private constructor(
    private readonly server: http.Server,
    /** Base URL to put in `OTEL_EXPORTER_OTLP_ENDPOINT`, e.g. `http://127.0.0.1:43817`. */
    readonly endpoint: string,
  ) {}

  /** Listens on a free loopback port. */
  static async start(): Promise<OtlpReceiver> {
    const server = http.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const receiver = new OtlpReceiver(server, `http://127.0.0.1:${port}`);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      receiver.handle(request, response).catch((error: unknown) => {
        response.statusCode = 400;
        response.end(String(error));
      });
    });
    return receiver;
  }

  spans(): ReceivedSpan[] {
    return [...this.#spans];
  }

  metrics(): ReceivedMetric[] {
    return [...this.#metrics];
  }

  /** Every export request received, in order. */
  requests(): ReceivedRequest[] {
    return [...this.#requests];
  }

  /**
   * Resolves with all spans once `predicate(spans)` holds; rejects after `timeoutMs` naming the
   * spans that did arrive.
   */
  waitForSpans(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs = 10_000): Promise<ReceivedSpan[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate(this.spans())) return;
        this.#arrivals.delete(check);
        clearTimeout(timer);
        resolve(this.spans());
      };
      const timer = setTimeout(() => {
        this.#arrivals.delete(check);
        const names = this.#spans.map((span) => span.name).join(', ') || 'none';
        reject(new Error(`the awaited spans did not arrive within ${timeoutMs} ms; received: ${names}`));
      }, timeoutMs);
      this.#arrivals.add(check);
      check();
    });
  }

  close(): Promise<void> {
    this.#closing ??= new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
    return this.#closing;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '').split('?', 1)[0];
    const contentType = request.headers['content-type'] ?? '';
    const encoding: OtlpEncoding = contentType.includes('json') ? 'json' : 'protobuf';
    if (request.method !== 'POST' || (path !== '/v1/traces' && path !== '/v1/metrics')) {
      response.statusCode = 404;
      response.end();
      return;
    }
    const body = await readBody(request);
    const decoded = (type: Type): unknown =>
      encoding === 'json' ? JSON.parse(body.toString('utf8')) : type.toObject(type.decode(body), TO_OBJECT);
    if (path === '/v1/traces') {
      this.#spans.push(...flattenSpans(decoded(TraceRequest) as OtlpTraceRequest, encoding));
    } else {
      this.#metrics.push(...flattenMetrics(decoded(MetricsRequest) as OtlpMetricsRequest, encoding));
    }
    this.#requests.push({ path, encoding });
    response.statusCode = 200;
    response.setHeader('content-type', encoding === 'json' ? 'application/json' : 'application/x-protobuf');
    response.end(encoding === 'json' ? '{}' : Buffer.alloc(0));
    for (const arrival of [...this.#arrivals]) arrival();
  }
}
