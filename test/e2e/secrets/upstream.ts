/**
 * The upstream an `io.http` job calls, on 127.0.0.1. It records what each request carried (so a
 * test can prove the client's secrets really travelled through Switchyard) and answers:
 * - `/echo?token=T`: 200 with `etag: "T"` and `location: /next?token=T`, so the job's result
 *   carries T as well;
 * - `/hang`: never answers, so the job fails on its own request timeout.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface UpstreamRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Upstream {
  port: number;
  url: string;
  requests(): UpstreamRequest[];
  close(): Promise<void>;
}

export async function startUpstream(): Promise<Upstream> {
  const received: UpstreamRequest[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const url = request.url ?? '/';
      received.push({ method: request.method ?? '', url, headers: request.headers, body });
      const parsed = new URL(url, 'http://upstream');
      if (parsed.pathname === '/hang') return;
      const token = parsed.searchParams.get('token') ?? '';
      response.writeHead(200, {
        'content-type': 'text/plain',
        etag: `"${token}"`,
        location: `/next?token=${token}`,
      });
      response.end('ok\n');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests: () => [...received],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
