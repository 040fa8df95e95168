import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { UnknownTaskError, type TaskDefinition } from '@switchyard/contracts';
import {
  InvalidTaskPayloadError,
  TaskCatalog,
  TaskRegistrationError,
  catalogOptionsFromEnv,
  createTaskCatalog,
  taskCatalogFromEnv,
} from '@switchyard/tasks';

const BUILT_IN = ['cpu.hash', 'cpu.mandelbrot', 'cpu.matmul', 'cpu.primes', 'io.http', 'io.sleep'];

function probeTask(name: string): TaskDefinition<{ n: number }, number> {
  return {
    name,
    description: 'test task',
    profile: 'cpu',
    payloadSchema: z.object({ n: z.number() }),
    resultSchema: z.number(),
    example: { n: 1 },
    defaultTimeoutMs: 1_000,
    handler: async ({ n }) => n,
  };
}

describe('task catalog', () => {
  it('registers the built-in tasks, and the diagnostic ones only when asked', () => {
    assert.deepEqual(createTaskCatalog({ httpAllowedHosts: [], diagnosticTasks: false }).names(), BUILT_IN);
    assert.deepEqual(
      createTaskCatalog({ httpAllowedHosts: [], diagnosticTasks: true }).names(),
      [...BUILT_IN, 'diag.crash', 'diag.spin'].sort(),
    );
  });

  it('gives each task its default profile: io.* → io, cpu.* → cpu', () => {
    const catalog = createTaskCatalog({ httpAllowedHosts: [], diagnosticTasks: true });
    for (const definition of catalog.list()) {
      if (definition.name.startsWith('io.')) assert.equal(definition.profile, 'io', definition.name);
      if (definition.name.startsWith('cpu.')) assert.equal(definition.profile, 'cpu', definition.name);
    }
  });

  it('refuses a second task of the same name, naming it', () => {
    const catalog = new TaskCatalog().register(probeTask('probe.one'));
    assert.throws(
      () => catalog.register(probeTask('probe.one')),
      (error: unknown) =>
        error instanceof TaskRegistrationError && /"probe\.one" is registered twice/.test(error.message),
    );
  });

  it('refuses a task without a handler, naming it', () => {
    const broken = { ...probeTask('probe.nohandler'), handler: undefined } as unknown as TaskDefinition;
    assert.throws(() => new TaskCatalog().register(broken), /task "probe\.nohandler" has no handler/);
  });

  it('rejects an unknown task, listing the known ones', () => {
    const catalog = createTaskCatalog({ httpAllowedHosts: [], diagnosticTasks: false });
    assert.equal(catalog.has('cpu.fibonacci'), false);
    assert.throws(
      () => catalog.get('cpu.fibonacci'),
      (error: unknown) =>
        error instanceof UnknownTaskError &&
        error.message.includes('cpu.fibonacci') &&
        error.message.includes('cpu.primes'),
    );
  });

  it('describes every task with a JSON schema and an example the schema accepts', () => {
    const catalog = createTaskCatalog({ httpAllowedHosts: [{ host: '127.0.0.1' }], diagnosticTasks: true });
    const descriptions = catalog.describeAll();
    assert.deepEqual(
      descriptions.map((description) => description.name),
      catalog.names(),
    );
    for (const description of descriptions) {
      assert.equal(description.payloadSchema.type, 'object', description.name);
      assert.equal(typeof description.autoRoute, 'boolean', description.name);
      assert.ok(description.defaultTimeoutMs > 0);
      assert.doesNotThrow(
        () => catalog.parsePayload(description.name, description.example),
        description.name,
      );
    }
    const primes = catalog.describe('cpu.primes').payloadSchema as {
      properties: { limit: { maximum: number } };
    };
    assert.equal(primes.properties.limit.maximum, 2_000_000_000);
    assert.equal(catalog.describe('io.sleep').autoRoute, true, 'io.sleep fits either kind of lane');
    assert.equal(catalog.describe('cpu.primes').autoRoute, false);
  });

  it('reports every bad field of a payload with its path', () => {
    const catalog = createTaskCatalog({ httpAllowedHosts: [], diagnosticTasks: false });
    assert.throws(
      () => catalog.parsePayload('cpu.hash', { input: 42, rounds: 0, extra: true }),
      (error: unknown) => {
        assert.ok(error instanceof InvalidTaskPayloadError);
        assert.deepEqual(error.issues.map((issue) => issue.path).sort(), ['', 'input', 'rounds']);
        assert.match(error.message, /invalid payload for task "cpu\.hash"/);
        return true;
      },
    );
  });

  it('builds from HTTP_ALLOWED_HOSTS and DIAGNOSTIC_TASKS, ignoring other variables', () => {
    const catalog = taskCatalogFromEnv({
      HTTP_ALLOWED_HOSTS: 'Example.org, 127.0.0.1:8080, [::1]:9000',
      DIAGNOSTIC_TASKS: 'true',
      PORT: 'x',
    });
    assert.ok(catalog.has('diag.spin'));
    const accepts = (url: string) => {
      try {
        catalog.parsePayload('io.http', { url, method: 'GET' });
        return true;
      } catch {
        return false;
      }
    };
    // A port-less entry allows the scheme's default port only; every spelling of an address is one host.
    assert.equal(accepts('http://example.org/'), true);
    assert.equal(accepts('https://EXAMPLE.org:443/'), true);
    assert.equal(accepts('http://example.org:8080/'), false);
    assert.equal(accepts('http://example.org:443/'), false);
    assert.equal(accepts('http://127.0.0.1:8080/'), true);
    assert.equal(accepts('http://0x7f.0.0.1:8080/'), true);
    assert.equal(accepts('http://127.0.0.1/'), false);
    assert.equal(accepts('http://[0:0::1]:9000/'), true);
    assert.equal(taskCatalogFromEnv({}).has('diag.spin'), false);
    assert.throws(() => taskCatalogFromEnv({ DIAGNOSTIC_TASKS: 'yes' }), /DIAGNOSTIC_TASKS/);
  });

  it('refuses malformed HTTP_ALLOWED_HOSTS, HTTP_ALLOWED_CIDRS and HTTP_REDACT_HEADERS entries, naming them', () => {
    const bad: [string, string, RegExp][] = [
      ['HTTP_ALLOWED_HOSTS', 'example.org:99999', /"example\.org:99999" is not host\[:port\]/],
      ['HTTP_ALLOWED_HOSTS', '::1', /"::1" is not host\[:port\]/],
      ['HTTP_ALLOWED_HOSTS', 'http://example.org', /is not host\[:port\]/],
      ['HTTP_ALLOWED_HOSTS', 'user@example.org', /is not host\[:port\]/],
      ['HTTP_ALLOWED_CIDRS', '10.0.0.0/', /"10\.0\.0\.0\/" is not a CIDR range/],
      ['HTTP_ALLOWED_CIDRS', '10.0.0.0/33', /is not a CIDR range/],
      ['HTTP_ALLOWED_CIDRS', 'example.org/8', /is not a CIDR range/],
      ['HTTP_ALLOWED_CIDRS', 'fe80::1%eth0/64', /is not a CIDR range/],
      ['HTTP_REDACT_HEADERS', 'x token', /header name/],
    ];
    for (const [variable, value, message] of bad) {
      assert.throws(
        () => catalogOptionsFromEnv({ [variable]: value }),
        (error: unknown) =>
          error instanceof Error && error.message.includes(variable) && message.test(error.message),
        `${variable}=${value}`,
      );
    }
    assert.deepEqual(
      catalogOptionsFromEnv({
        HTTP_ALLOWED_CIDRS: '10.0.0.0/8, FD00::/8, 127.0.0.1',
        HTTP_REDACT_HEADERS: 'X-Token',
      }),
      {
        httpAllowedHosts: [],
        httpAllowedCidrs: [
          { address: '10.0.0.0', prefix: 8, family: 'ipv4' },
          { address: 'fd00::', prefix: 8, family: 'ipv6' },
          { address: '127.0.0.1', prefix: 32, family: 'ipv4' },
        ],
        httpRedactHeaders: ['x-token'],
        diagnosticTasks: false,
      },
    );
  });
});
