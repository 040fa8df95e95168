/**
 * The generated client's wrapper keeps what its callers rely on: the API key as a bearer header, a 429
 * waited out as its Retry-After asks, problem details on errors. Against a real HTTP server that answers
 * as the api does under backpressure.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SwitchyardApiError, SwitchyardClient } from '@switchyard/client';

describe('SwitchyardClient over openapi-fetch', () => {
  let server: http.Server;
  let baseUrl: string;
  const seen: { method: string; url: string; authorization?: string; body: string; at: number }[] = [];
  let refusals = 0;

  before(async () => {
    server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push({
          method: request.method ?? '',
          url: request.url ?? '',
          authorization: request.headers.authorization,
          body,
          at: Date.now(),
        });
        const problem = (status: number, headers: Record<string, string> = {}) => {
          response.writeHead(status, { 'content-type': 'application/problem+json', ...headers });
          response.end(JSON.stringify({ type: 'urn:x', title: 'no', status, detail: `answered ${status}` }));
        };
        if (request.url === '/v1/jobs' && refusals-- > 0) return problem(429, { 'retry-after': '1' });
        if (request.url === '/v1/jobs') {
          response.writeHead(202, { 'content-type': 'application/json' });
          return response.end(
            JSON.stringify({
              id: 'j1',
              task: 'io.sleep',
              profile: 'io',
              lane: 'io',
              state: 'waiting',
              links: { self: '/v1/jobs/j1' },
            }),
          );
        }
        problem(404);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('sends the key, waits out a 429 as Retry-After asks and resends the same body', async () => {
    refusals = 1;
    seen.length = 0;
    const client = new SwitchyardClient(baseUrl, { apiKey: 'sy_test' });
    const accepted = await client.submit({ task: 'io.sleep', payload: { ms: 1 } });
    assert.equal(accepted.id, 'j1');
    assert.equal(seen.length, 2);
    assert.ok(seen[1].at - seen[0].at >= 900, `retried after ${seen[1].at - seen[0].at} ms`);
    assert.deepEqual(
      seen.map((request) => request.authorization),
      ['Bearer sy_test', 'Bearer sy_test'],
    );
    assert.equal(seen[1].body, seen[0].body);
    assert.deepEqual(JSON.parse(seen[1].body), { task: 'io.sleep', payload: { ms: 1 } });
  });

  it('reports an error status with its problem details', async () => {
    const error = await new SwitchyardClient(baseUrl).get('nope').catch((caught: unknown) => caught);
    assert.ok(error instanceof SwitchyardApiError);
    assert.equal(error.status, 404);
    assert.equal(error.problem?.detail, 'answered 404');
    assert.match(error.message, /GET \/v1\/jobs\/nope answered 404: answered 404/);
  });
});
