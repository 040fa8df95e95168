/**
 * Every task's `resultSchema` (what the OpenAPI document publishes as `TaskResult.<task>`) matches what
 * its handler really returns on its catalog example, after the JSON round trip a job's result takes
 * through Redis. A handler that adds, renames or retypes a field fails here before a client notices.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Ajv2020 from 'ajv/dist/2020';
import { catalogOptionsFromEnv, createTaskCatalog, type TaskCatalog } from '@switchyard/tasks';
import { taskContext } from './task-test-context';

describe('task results match their published schemas', { timeout: 60_000 }, () => {
  let server: Server;
  let catalog: TaskCatalog;

  before(async () => {
    // io.http's example calls the first allowed host: a real local server, allowed by its guard.
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain', etag: '"e1"', 'x-other': 'not reported' });
      response.end('switchyard');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    catalog = createTaskCatalog(
      catalogOptionsFromEnv({
        HTTP_ALLOWED_HOSTS: `127.0.0.1:${port}`,
        HTTP_ALLOWED_CIDRS: '127.0.0.1/32',
        DIAGNOSTIC_TASKS: 'true',
      }),
    );
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  /** Runs a task's handler as a job would, and returns its result as a job view would show it. */
  async function resultOf(name: string, payload: unknown): Promise<unknown> {
    const parsed = catalog.parsePayload(name, payload);
    return JSON.parse(JSON.stringify(await catalog.get(name).handler(parsed, taskContext()))) as unknown;
  }

  /** Checked twice: by the zod schema, and by the JSON Schema `GET /v1/tasks` publishes from it. */
  function assertMatches(name: string, result: unknown): void {
    const parsed = catalog.get(name).resultSchema.safeParse(result);
    assert.ok(
      parsed.success,
      `${name} returned ${JSON.stringify(result)}, which its resultSchema refuses: ${parsed.error?.message}`,
    );
    const published = new Ajv2020({ strict: false }).compile(catalog.describe(name).resultSchema);
    assert.ok(published(result), `${name}: the published resultSchema refuses ${JSON.stringify(result)}`);
  }

  it('holds for every non-diagnostic task on its example payload', async () => {
    const names = catalog.names().filter((name) => !name.startsWith('diag.'));
    assert.deepEqual(names.sort(), [
      'cpu.hash',
      'cpu.mandelbrot',
      'cpu.matmul',
      'cpu.primes',
      'io.http',
      'io.sleep',
    ]);
    for (const name of names) assertMatches(name, await resultOf(name, catalog.get(name).example));
  });

  it('holds for diag.spin, and diag.crash admits no result at all', async () => {
    assertMatches('diag.spin', await resultOf('diag.spin', { ms: 20 }));
    // diag.crash never completes: its schema documents that no result exists.
    assert.equal(catalog.get('diag.crash').resultSchema.safeParse({}).success, false);
    assert.equal(catalog.get('diag.crash').resultSchema.safeParse(undefined).success, false);
    const published = new Ajv2020({ strict: false }).compile(catalog.describe('diag.crash').resultSchema);
    assert.equal(published({}), false, 'the published schema of diag.crash admits nothing either');
  });

  it('refuses a drifted result: an extra, a renamed or a retyped field', () => {
    const schema = catalog.get('io.sleep').resultSchema;
    assert.equal(schema.safeParse({ sleptMs: 5 }).success, true);
    assert.equal(schema.safeParse({ sleptMs: 5, extra: 1 }).success, false);
    assert.equal(schema.safeParse({ slept: 5 }).success, false);
    assert.equal(schema.safeParse({ sleptMs: '5' }).success, false);
    const publishedSleep = new Ajv2020({ strict: false }).compile(catalog.describe('io.sleep').resultSchema);
    assert.equal(publishedSleep({ sleptMs: 5, extra: 1 }), false, 'the published schema is strict too');
    const http = catalog.get('io.http').resultSchema;
    const valid = { status: 200, headers: { etag: '"e1"' }, bodyBytes: 3, bodySha256: 'a'.repeat(64) };
    assert.equal(http.safeParse(valid).success, true);
    assert.equal(
      http.safeParse({ ...valid, headers: { 'x-other': 'v' } }).success,
      false,
      'an unreported header',
    );
    assert.equal(http.safeParse({ ...valid, sha256: 'a'.repeat(64) }).success, false);
  });
});
