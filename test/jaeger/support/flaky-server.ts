import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP server on loopback that drops the first connection of each path and answers 200 afterwards. */
export interface FlakyServer {
  /** A fresh URL per call, so each job sees its own first failure. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startFlakyServer(): Promise<FlakyServer> {
  const seen = new Set<string>();
  const server = http.createServer((request, response) => {
    if (!seen.has(request.url ?? '')) {
      seen.add(request.url ?? '');
      request.socket.destroy();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let calls = 0;
  return {
    get url() {
      calls += 1;
      return `http://127.0.0.1:${port}/flaky/${calls}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
