import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordingServer {
  /** `127.0.0.1:<port>`, for HTTP_ALLOWED_HOSTS. */
  hostPort: string;
  /** The URL an `io.http` job calls: recorded under `token`, answered after `delayMs`. */
  urlFor(token: string, delayMs: number): string;
  /** How many requests arrived for a token. */
  requestsFor(token: string): number;
  /** Requests received and not yet answered or aborted. */
  readonly openRequests: number;
  close(): Promise<void>;
}

/**
 * The ledger of the crash scenarios: a local upstream for `io.http` that counts every request per
 * token as it arrives, before answering after a delay. A job whose handler ran twice called it
 * twice, whatever the consumers believe or report.
 */
export async function startRecordingServer(): Promise<RecordingServer> {
  const requests = new Map<string, number>();
  let open = 0;
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://ledger');
    const token = url.pathname.replace(/^\/ledger\//, '');
    requests.set(token, (requests.get(token) ?? 0) + 1);
    open++;
    const timer = setTimeout(
      () => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('recorded\n');
      },
      Number(url.searchParams.get('ms') ?? 0),
    );
    response.once('close', () => {
      open--;
      clearTimeout(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    hostPort: `127.0.0.1:${port}`,
    urlFor: (token, delayMs) => `http://127.0.0.1:${port}/ledger/${encodeURIComponent(token)}?ms=${delayMs}`,
    requestsFor: (token) => requests.get(token) ?? 0,
    get openRequests() {
      return open;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
