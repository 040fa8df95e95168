import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DelayServer {
  /** `GET <url>?ms=N` answers after N ms (default 50) with a small deterministic body. */
  url: string;
  close(): Promise<void>;
}

/** A local HTTP server standing in for a slow upstream, for `io.http` demos and experiments. */
export async function startDelayServer(): Promise<DelayServer> {
  const server = http.createServer((request, response) => {
    const ms = Math.min(
      Number(new URL(request.url ?? '/', 'http://x').searchParams.get('ms') ?? 50) || 0,
      30_000,
    );
    const timer = setTimeout(() => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(`waited ${ms} ms\n`);
    }, ms);
    request.once('close', () => clearTimeout(timer));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
