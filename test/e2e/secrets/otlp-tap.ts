/**
 * Stands between the services and the OTLP receiver and keeps every export request's body as it
 * arrived (gunzipped), so a test can search the exact bytes that left a process, whatever fields
 * the receiver decodes. Protobuf keeps strings as raw UTF-8, so a string sent is found as it is.
 */
import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface TappedExport {
  /** `/v1/traces` or `/v1/metrics`. */
  path: string;
  body: Buffer;
}

export class OtlpTap {
  readonly #exports: TappedExport[] = [];

  private constructor(
    private readonly server: http.Server,
    /** Base URL for `OTEL_EXPORTER_OTLP_ENDPOINT`. */
    readonly endpoint: string,
    private readonly forwardTo: string,
  ) {}

  /** Listens on a free loopback port and forwards each request to `forwardTo` (a receiver's endpoint). */
  static async start(forwardTo: string): Promise<OtlpTap> {
    const server = http.createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const tap = new OtlpTap(server, `http://127.0.0.1:${port}`, forwardTo);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      tap.forward(request, response).catch((error: unknown) => {
        response.statusCode = 502;
        response.end(String(error));
      });
    });
    return tap;
  }

  exports(): TappedExport[] {
    return [...this.#exports];
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private async forward(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const sent = Buffer.concat(chunks);
    const gzipped = request.headers['content-encoding'] === 'gzip';
    const path = (request.url ?? '').split('?', 1)[0];
    this.#exports.push({ path, body: gzipped ? gunzipSync(sent) : sent });
    const headers: Record<string, string> = { 'content-type': request.headers['content-type'] ?? '' };
    if (gzipped) headers['content-encoding'] = 'gzip';
    const answer = await fetch(`${this.forwardTo}${request.url ?? ''}`, {
      method: 'POST',
      headers,
      body: sent,
    });
    response.statusCode = answer.status;
    response.setHeader('content-type', answer.headers.get('content-type') ?? 'application/octet-stream');
    response.end(Buffer.from(await answer.arrayBuffer()));
  }
}
