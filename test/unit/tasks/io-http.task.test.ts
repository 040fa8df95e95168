import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { JobCancelledError } from '@switchyard/contracts';
import {
  IO_HTTP_MAX_BODY_BYTES,
  IO_HTTP_UNREACHABLE_MESSAGE,
  InvalidTaskPayloadError,
  catalogOptionsFromEnv,
  createTaskCatalog,
  type IoHttpResult,
  type TaskCatalog,
} from '@switchyard/tasks';
import { taskContext } from './task-test-context';

const PAGE = Buffer.from('<h1>switchyard</h1>\n'.repeat(500));

/** A real local HTTP server: the only host the catalog under test allows. */
function startServer(): Promise<Server> {
  const server = createServer((request, response) => {
    switch (new URL(request.url ?? '/', 'http://test').pathname) {
      case '/page':
        response.writeHead(200, { 'content-type': 'text/html', etag: '"v1"', 'x-internal': 'secret' });
        response.end(request.method === 'HEAD' ? undefined : PAGE);
        return;
      case '/echo': {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          response.writeHead(201, { 'content-type': 'application/octet-stream' });
          response.end(Buffer.concat(chunks));
        });
        return;
      }
      case '/moved':
        response.writeHead(302, { location: 'http://example.com/' });
        response.end();
        return;
      case '/huge':
        response.writeHead(200);
        response.end(Buffer.alloc(IO_HTTP_MAX_BODY_BYTES + 1));
        return;
      case '/silent':
        return;
      default:
        response.writeHead(404);
        response.end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('io.http', { timeout: 15_000 }, () => {
  let server: Server;
  let base: string;
  let catalog: TaskCatalog;
  const http = () => catalog.get('io.http');
  const call = async (payload: unknown, ctx = taskContext()) =>
    (await http().handler(catalog.parsePayload('io.http', payload), ctx)) as IoHttpResult;

  before(async () => {
    server = await startServer();
    const { port } = server.address() as AddressInfo;
    base = `http://127.0.0.1:${port}`;
    // The test server is on loopback: its exact address and port must be allowed.
    catalog = createTaskCatalog(
      catalogOptionsFromEnv({ HTTP_ALLOWED_HOSTS: `127.0.0.1:${port}`, HTTP_ALLOWED_CIDRS: '127.0.0.1/32' }),
    );
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('GETs a page and reports status, selected headers, size and sha256, never the body', async () => {
    const result = await call({ url: `${base}/page`, method: 'GET' });
    assert.equal(result.status, 200);
    assert.equal(result.bodyBytes, PAGE.length);
    assert.equal(result.bodySha256, createHash('sha256').update(PAGE).digest('hex'));
    assert.equal(result.headers['content-type'], 'text/html');
    assert.equal(result.headers.etag, '"v1"');
    assert.ok(!('x-internal' in result.headers));
    assert.ok(!JSON.stringify(result).includes('switchyard'));
  });

  it('HEADs without a body, and POSTs a body', async () => {
    const head = await call({ url: `${base}/page`, method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.bodyBytes, 0);
    const body = 'hello, switchyard';
    const post = await call({
      url: `${base}/echo`,
      method: 'POST',
      body,
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(post.status, 201);
    assert.equal(post.bodyBytes, Buffer.byteLength(body));
    assert.equal(post.bodySha256, createHash('sha256').update(body).digest('hex'));
  });

  it('does not follow redirects', async () => {
    const result = await call({ url: `${base}/moved`, method: 'GET' });
    assert.equal(result.status, 302);
    assert.equal(result.headers.location, 'http://example.com/');
  });

  it('fails on a body over the size cap', async () => {
    await assert.rejects(call({ url: `${base}/huge`, method: 'GET' }), /exceeds 10485760 bytes/);
  });

  it('fails after its own timeoutMs, and with the signal reason when cancelled', async () => {
    await assert.rejects(
      call({ url: `${base}/silent`, method: 'GET', timeoutMs: 200 }),
      /no complete response within 200 ms/,
    );
    const controller = new AbortController();
    const cancelled = new JobCancelledError('job-1');
    setTimeout(() => controller.abort(cancelled), 50);
    await assert.rejects(
      call({ url: `${base}/silent`, method: 'GET' }, taskContext(controller.signal)),
      cancelled,
    );
  });

  it('refuses at validation a host:port missing from the allowlist, naming it and HTTP_ALLOWED_HOSTS', () => {
    const refusal = (url: string) => {
      try {
        catalog.parsePayload('io.http', { url, method: 'GET' });
      } catch (error) {
        assert.ok(error instanceof InvalidTaskPayloadError);
        assert.equal(error.issues[0].path, 'url');
        return error.message;
      }
      assert.fail(`${url} was accepted`);
    };
    assert.match(
      refusal('http://169.254.169.254/latest/meta-data?token=s3cret'),
      /169\.254\.169\.254:80 are not allowed: an operator must add "169\.254\.169\.254:80" to HTTP_ALLOWED_HOSTS/,
    );
    // The allowed host on another port, and on the scheme's default port.
    assert.match(refusal(`http://127.0.0.1:${Number(new URL(base).port) + 1}/`), /HTTP_ALLOWED_HOSTS/);
    assert.match(refusal('https://127.0.0.1/'), /127\.0\.0\.1:443 are not allowed/);
    // The query never reaches the message (it goes to logs).
    assert.doesNotMatch(refusal('http://example.org/?token=s3cret'), /s3cret/);
  });

  it('refuses other schemes, credentials, a GET body and routing headers', () => {
    const paths = (payload: unknown) => {
      const parsed = http().payloadSchema.safeParse(payload);
      assert.equal(parsed.success, false, JSON.stringify(payload));
      return parsed.error?.issues.map((issue) => issue.path.join('.'));
    };
    assert.deepEqual(paths({ url: 'file:///etc/passwd', method: 'GET' }), ['url']);
    assert.deepEqual(paths({ url: `http://user:pw@127.0.0.1:${new URL(base).port}/`, method: 'GET' }), [
      'url',
    ]);
    assert.deepEqual(paths({ url: `${base}/`, method: 'GET', body: 'x' }), ['body']);
    assert.deepEqual(paths({ url: `${base}/`, method: 'GET', headers: { Host: 'example.com' } }), [
      'headers.Host',
    ]);
    assert.deepEqual(paths({ url: `${base}/`, method: 'DELETE' }), ['method']);
    assert.deepEqual(paths({ url: `${base}/`, headers: { 'x-a': 'one\r\nx-b: two' } }), ['headers.x-a']);
    assert.deepEqual(paths({ url: `${base}/`, headers: { 'bad name': 'x' } }), ['headers.bad name']);
  });

  it('allows nothing with an empty allowlist, and checks again in the handler', async () => {
    const closed = createTaskCatalog({ httpAllowedHosts: [], diagnosticTasks: false });
    assert.throws(
      () => closed.parsePayload('io.http', { url: `${base}/page`, method: 'GET' }),
      /HTTP_ALLOWED_HOSTS/,
    );
    await assert.rejects(
      closed.get('io.http').handler({ url: `${base}/page`, method: 'GET' }, taskContext()),
      {
        message: IO_HTTP_UNREACHABLE_MESSAGE,
      },
    );
  });

  it('reports a closed port on an allowed host with the same text as a refusal', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const open = createTaskCatalog(
      catalogOptionsFromEnv({
        HTTP_ALLOWED_HOSTS: `127.0.0.1:${closedPort}`,
        HTTP_ALLOWED_CIDRS: '127.0.0.1',
      }),
    );
    await assert.rejects(
      open.get('io.http').handler({ url: `http://127.0.0.1:${closedPort}/`, method: 'GET' }, taskContext()),
      { message: IO_HTTP_UNREACHABLE_MESSAGE },
    );
  });

  it('names at most scheme, host, port and path in its errors, never the query', async () => {
    await assert.rejects(
      call({ url: `${base}/silent?token=s3cret`, method: 'GET', timeoutMs: 200 }),
      (error: Error) => {
        assert.equal(
          error.message,
          `io.http GET http://127.0.0.1:${new URL(base).port}/silent got no complete response within 200 ms`,
        );
        return true;
      },
    );
  });
});
