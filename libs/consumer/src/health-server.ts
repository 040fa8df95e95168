import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type HealthRoute = (url: URL) => Promise<{ status: number; body: unknown; contentType?: string }>;

/**
 * The consumers' only HTTP surface: liveness, readiness, `/stats` and `/metrics`.
 * A plain node:http server: a consumer has no API, so it needs no framework.
 */
export class HealthServer {
  private readonly server: http.Server;
  private closing?: Promise<void>;

  constructor(private readonly routes: Record<string, HealthRoute>) {
    this.server = http.createServer((request, response) => void this.handle(request, response));
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const route = this.routes[url.pathname];
    if (!route || request.method !== 'GET') {
      this.send(
        response,
        404,
        {
          type: 'about:blank',
          title: 'Not found',
          status: 404,
          detail: `try one of: ${Object.keys(this.routes).join(', ')}`,
        },
        'application/problem+json',
      );
      return;
    }
    try {
      const { status, body, contentType } = await route(url);
      this.send(response, status, body, contentType);
    } catch (error) {
      this.send(
        response,
        500,
        { type: 'about:blank', title: 'Internal error', status: 500, detail: (error as Error).message },
        'application/problem+json',
      );
    }
  }

  private send(
    response: http.ServerResponse,
    status: number,
    body: unknown,
    contentType = 'application/json',
  ): void {
    response.writeHead(status, { 'content-type': contentType });
    response.end(typeof body === 'string' ? body : JSON.stringify(body));
  }
}
