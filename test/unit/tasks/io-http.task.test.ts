import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { JobCancelledError } from '@switchyard/contracts';
import {
  createTaskCatalog,
  IO_HTTP_MAX_BODY_BYTES,
  InvalidTaskPayloadError,
  type IoHttpResult,
} from '@switchyard/tasks';
import { taskContext } from './task-test-context';

const PAGE = Buffer.from('<h1>switchyard</h1>\n'.repeat(500));

/** A real local HTTP server: the only host the catalog under test allows. */
function startServer(): Promise<Server> {
  const server = createServer((request, response) => {
    switch (request.url) {
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
  const catalog = createTaskCatalog({ httpAllowedHosts: ['127.0.0.1'], diagnosticTasks: false });
  const http = catalog.get('io.http');
  const call = async (payload: unknown, ctx = taskContext()) =>
    (await http.handler(catalog.parsePayload('io.http', payload), ctx)) as IoHttpResult;

  before(async () => {
    server = await startServer();
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
    assert.equal(result.headers['x-internal'], undefined);
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

  it('refuses at validation a host missing from the allowlist, naming it and HTTP_ALLOWED_HOSTS', () => {
    assert.throws(
      () =>
        catalog.parsePayload('io.http', { url: 'http://169.254.169.254/latest/meta-data', method: 'GET' }),
      (error: unknown) =>
        error instanceof InvalidTaskPayloadError &&
        error.issues[0].path === 'url' &&
        /host "169\.254\.169\.254" is not allowed: add it to HTTP_ALLOWED_HOSTS/.test(error.message),
    );
  });

  it('refuses other schemes, credentials, a GET body and routing headers', () => {
    const paths = (payload: unknown) => {
      const parsed = http.payloadSchema.safeParse(payload);
      assert.equal(parsed.success, false, JSON.stringify(payload));
      return parsed.error?.issues.map((issue) => issue.path.join('.'));
    };
    assert.deepEqual(paths({ url: 'file:///etc/passwd', method: 'GET' }), ['url']);
    assert.deepEqual(paths({ url: 'http://user:pw@127.0.0.1/', method: 'GET' }), ['url']);
    assert.deepEqual(paths({ url: `http://127.0.0.1/`, method: 'GET', body: 'x' }), ['body']);
    assert.deepEqual(paths({ url: `http://127.0.0.1/`, method: 'GET', headers: { Host: 'example.com' } }), [
      'headers.Host',
    ]);
    assert.deepEqual(paths({ url: `http://127.0.0.1/`, method: 'DELETE' }), ['method']);
  });

  it('allows nothing with an empty allowlist, and checks again in the handler', async () => {
    const closed = createTaskCatalog({ httpAllowedHosts: [], diagnosticTasks: false });
    assert.throws(
      () => closed.parsePayload('io.http', { url: `${base}/page`, method: 'GET' }),
      /HTTP_ALLOWED_HOSTS \(now \(empty\)\)/,
    );
    await assert.rejects(
      closed.get('io.http').handler({ url: `${base}/page`, method: 'GET' }, taskContext()),
      /io\.http refused .* is not allowed/,
    );
  });
});
