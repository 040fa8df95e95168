/**
 * The api and io-consumer as real processes (built in dist/), started with the settings the chart renders
 * and the keys file its Secret volume would hold, on the shared Redis under a private prefix: what a pod
 * would run, minus Kubernetes. Then the `helm test` Pod's own script is run against them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createApiKey } from '@switchyard/auth';
import { freePort, startLocalStack, type LocalStack } from '@switchyard/local-stack';
import { deletePrefix } from '../helpers/redis-cleanup';
import { renderChart } from './support/helm-cli';
import { envValue, podOwners, type IContainer, type KubeObject } from './support/kube-object';
import { containerEnv, secretFileText, workload } from './support/rendered-env';

/** Settings the local stack gives each process itself: its Redis, prefix, lanes, interface and port. */
const STACK_OWNED = [
  'REDIS_URL',
  'REDIS_PASSWORD_FILE',
  'QUEUE_PREFIX',
  'LANES',
  'HOST',
  'PORT',
  'HEALTH_PORT',
];
const FROM_ELSEWHERE = { POD_NAME: 'pod-0', POD_NAMESPACE: 'ns' };

function withoutStackOwned(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !STACK_OWNED.includes(key)));
}

function helmTestContainer(objects: readonly KubeObject[]): IContainer {
  const pod = objects.find(
    (object) => object.kind === 'Pod' && object.metadata.annotations?.['helm.sh/hook'] === 'test',
  );
  assert.ok(pod, 'no helm test Pod');
  return podOwners([pod])[0].podSpec.containers[0];
}

/** Runs the helm test Pod's `node -e` script as its container would, against `apiUrl`. */
function runHelmTest(
  container: IContainer,
  apiUrl: string,
  env: Record<string, string>,
): Promise<{ status: number | null; output: string }> {
  const script = container.args?.[1] ?? '';
  const podEnv = {
    AUTH_ENABLED: envValue(container, 'AUTH_ENABLED') ?? '',
    TEST_JOB: envValue(container, 'TEST_JOB') ?? '',
    TEST_TIMEOUT_MS: '30000',
    API_URL: apiUrl,
    ...env,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { env: { PATH: process.env.PATH, ...podEnv } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (status) => resolve({ status, output }));
  });
}

describe('the api run with the settings and keys file the chart renders', () => {
  const operator = createApiKey('ops', ['admin']);
  const tenant = createApiKey('team-a', ['jobs:write', 'jobs:read']);
  const prefix = `test-${randomUUID()}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chart-api-'));
  let stack: LocalStack;
  let testContainer: IContainer;
  let adminUrl: string;
  let openApiUrl: string;

  before(async () => {
    const objects = await renderChart([
      '--set-json',
      `auth.apiKeys=${JSON.stringify([operator.entry, tenant.entry])}`,
      '--set',
      'tests.apiKey.existingSecret=test-key',
    ]);
    testContainer = helmTestContainer(objects);
    const { podSpec, container } = workload(objects, 'sy-switchyard-api');
    const api = containerEnv(objects, container, FROM_ELSEWHERE);
    const keysFile = path.join(dir, 'api-keys');
    writeFileSync(keysFile, secretFileText(objects, podSpec, container, api.API_KEYS_FILE));
    const adminPort = await freePort();
    adminUrl = `http://127.0.0.1:${adminPort}`;
    const consumer = containerEnv(
      objects,
      workload(objects, 'sy-switchyard-io-consumer').container,
      FROM_ELSEWHERE,
    );
    stack = await startLocalStack({
      prefix,
      logDir: dir,
      services: [
        {
          name: 'api',
          app: 'api',
          env: { ...withoutStackOwned(api), API_KEYS_FILE: keysFile, ADMIN_PORT: String(adminPort) },
        },
        { name: 'io-consumer', app: 'io-consumer', env: withoutStackOwned(consumer) },
        // An api left open, to show the helm test would notice one.
        { name: 'api-open', app: 'api', env: { AUTH: 'none' } },
      ],
    });
    openApiUrl = stack.services.find((service) => service.name === 'api-open')?.baseUrl ?? '';
  });

  after(async () => {
    await stack?.stop();
    if (stack) await deletePrefix(stack.redisUrl, prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers /readyz without a key and takes a job only with one', async () => {
    assert.equal((await fetch(`${stack.apiUrl}/readyz`)).status, 200);
    const submit = (headers: Record<string, string>) =>
      fetch(`${stack.apiUrl}/v1/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ task: 'io.sleep', payload: { ms: 1 } }),
      });
    assert.equal((await submit({})).status, 401);
    assert.equal((await submit({ authorization: `Bearer ${tenant.key}` })).status, 202);
  });

  it('serves /metrics to the scraper on the admin port without a key, and not on the API port', async () => {
    const scraped = await fetch(`${adminUrl}/metrics`);
    assert.equal(scraped.status, 200);
    assert.match(await scraped.text(), /^# (HELP|TYPE) /m);
    assert.equal((await fetch(`${stack.apiUrl}/metrics`)).status, 401);
    const tenantMetrics = await fetch(`${stack.apiUrl}/metrics`, {
      headers: { authorization: `Bearer ${tenant.key}` },
    });
    assert.equal(tenantMetrics.status, 403);
  });

  it('helm test: with its key it submits a job and sees it complete', async () => {
    const { status, output } = await runHelmTest(testContainer, stack.apiUrl, {
      SWITCHYARD_API_KEY: `${tenant.key}\n`,
    });
    assert.equal(status, 0, output);
    assert.match(output, /refuses a request without a key \(401\)/);
    assert.match(output, /job \S+ completed/);
  });

  it('helm test: without a key it checks readiness and the 401, and says it skipped the job', async () => {
    const { status, output } = await runHelmTest(testContainer, stack.apiUrl, {});
    assert.equal(status, 0, output);
    assert.match(output, /refuses a request without a key \(401\)/);
    assert.match(output, /job submission not checked/);
  });

  it('helm test: fails against an api that takes requests without a key', async () => {
    const { status, output } = await runHelmTest(testContainer, openApiUrl, {});
    assert.equal(status, 1, output);
    assert.match(output, /POST \/v1\/jobs without a key answered 202, not 401/);
  });
});
