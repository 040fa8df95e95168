import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApiKey } from '@switchyard/auth';
import { renderChart, runHelm } from './support/helm-cli';
import { envValue, podOwners, type KubeObject } from './support/kube-object';
import { containerEnv, secretFileText, workload } from './support/rendered-env';
import { chartDir } from './support/repo-paths';

const API = 'sy-switchyard-api';
const CONSUMERS = ['sy-switchyard-io-consumer', 'sy-switchyard-compute'];
const entry = (tenant: string, scopes = ['jobs:write', 'jobs:read']) => createApiKey(tenant, scopes).entry;

async function renderFailure(args: string[]): Promise<string> {
  const result = await runHelm(['template', 'sy', chartDir, ...args]);
  assert.notEqual(result.status, 0, `helm template ${args.join(' ')} rendered`);
  return result.stderr;
}

function testPod(objects: readonly KubeObject[]) {
  const pod = objects.find(
    (object) => object.kind === 'Pod' && object.metadata.annotations?.['helm.sh/hook'] === 'test',
  );
  assert.ok(pod, 'no helm test Pod');
  return podOwners([pod])[0].podSpec.containers[0];
}

describe('chart: API keys', () => {
  it('refuses to render while auth is enabled and no keys are given, saying what to set', async () => {
    const stderr = await renderFailure([]);
    assert.match(stderr, /switchyard: 1 invalid value\(s\)/);
    assert.ok(
      stderr.includes('set auth.apiKeys (entries from `switchyard keys create`) or auth.existingSecret'),
      stderr,
    );
    assert.ok(stderr.includes('auth.enabled=false for a throwaway release (unsafe'), stderr);
  });

  it('mounts an existing Secret as API_KEYS_FILE, puts no entry in env and creates no Secret', async () => {
    const objects = await renderChart([
      '--set',
      'auth.existingSecret=team-keys',
      '--set',
      'auth.existingSecretKey=entries',
    ]);
    const { podSpec, container, annotations } = workload(objects, API);
    const env = containerEnv(objects, container);
    assert.equal(env.AUTH, 'keys');
    assert.equal(env.API_KEYS, undefined, 'entries must not travel as env');
    const entries = `${entry('team-a')}\n`;
    assert.equal(
      secretFileText(objects, podSpec, container, env.API_KEYS_FILE, { 'team-keys': { entries } }),
      entries,
    );
    assert.match(annotations['checksum/secret'] ?? '', /^[0-9a-f]{64}$/);
    assert.equal(
      objects.some((object) => object.kind === 'Secret' && object.metadata.name.includes('api-keys')),
      false,
    );
  });

  it('keeps auth.apiKeys in a Secret of its own; a new key rolls the api pods and no others', async () => {
    const first = [entry('team-a'), entry('team-b', ['admin'])];
    const render = (entries: string[]) =>
      // A fixed Redis password: a generated one differs per render and would roll every pod.
      renderChart([
        '--set-json',
        `auth.apiKeys=${JSON.stringify(entries)}`,
        '--set',
        'redis.auth.password=fixed',
      ]);
    const before = await render(first);
    const { podSpec, container, annotations } = workload(before, API);
    const file = secretFileText(before, podSpec, container, containerEnv(before, container).API_KEYS_FILE);
    assert.deepEqual(file.trim().split('\n'), first);

    const after = await render([...first, entry('team-c')]);
    assert.notEqual(workload(after, API).annotations['checksum/secret'], annotations['checksum/secret']);
    for (const name of CONSUMERS) {
      assert.deepEqual(workload(after, name).annotations, workload(before, name).annotations, name);
    }
  });

  it('refuses an entry that is not one (a key pasted instead of its entry) without printing it back', async () => {
    const { key } = createApiKey('team-a', ['jobs:read']);
    const stderr = await renderFailure(['--set-json', `auth.apiKeys=${JSON.stringify([entry('ok'), key])}`]);
    assert.match(stderr, /auth\.apiKeys\[1\]: not an entry <tenant>:<scopes>:<sha256 hex of the key>/);
    assert.ok(!stderr.includes(key), 'the pasted key is echoed in the error');
  });

  it('auth.enabled=false runs the api with AUTH=none and mounts no keys; keys beside it are refused', async () => {
    const objects = await renderChart(['--set', 'auth.enabled=false']);
    const { podSpec, container, annotations } = workload(objects, API);
    const env = containerEnv(objects, container);
    assert.equal(env.AUTH, 'none');
    assert.equal(env.API_KEYS_FILE, undefined);
    // The api's checksum/secret is the consumers' then: the Redis password alone.
    assert.equal(
      annotations['checksum/secret'],
      workload(objects, CONSUMERS[0]).annotations['checksum/secret'],
    );
    assert.deepEqual(
      podSpec.volumes?.map((volume) => volume.name),
      ['tmp', 'redis-password'],
    );
    const stderr = await renderFailure(['--set', 'auth.enabled=false', '--set', 'auth.existingSecret=keys']);
    assert.ok(stderr.includes('auth.enabled=false ignores auth.apiKeys and auth.existingSecret'), stderr);
  });

  it('the lab Job needs its own key while auth is on, and gets it as SWITCHYARD_API_KEY from a Secret', async () => {
    const stderr = await renderFailure(['--set', 'auth.existingSecret=keys', '--set', 'lab.enabled=true']);
    assert.ok(stderr.includes('lab.apiKey.existingSecret: the lab Job submits through the api'), stderr);
    assert.ok(stderr.includes('--scopes jobs:write+jobs:read+admin'), stderr);

    const objects = await renderChart([
      '--set',
      'auth.existingSecret=keys',
      '--set',
      'lab.enabled=true',
      '--set',
      'lab.apiKey.existingSecret=lab-key',
    ]);
    const job = podOwners(objects).find((owner) => owner.object.kind === 'Job');
    const variable = job?.podSpec.containers[0].env?.find(
      (candidate) => candidate.name === 'SWITCHYARD_API_KEY',
    );
    assert.deepEqual(variable?.valueFrom?.secretKeyRef, { name: 'lab-key', key: 'api-key' });
    assert.equal(
      job?.podSpec.containers[0].args?.some((arg) => arg.includes('api-key')),
      false,
      'the key must not be a visible argument',
    );
  });

  it('gives the helm test Pod its key from tests.apiKey, and tells it whether auth is on', async () => {
    const withKey = testPod(
      await renderChart([
        '--set',
        'auth.existingSecret=keys',
        '--set',
        'tests.apiKey.existingSecret=test-key',
        '--set',
        'tests.apiKey.existingSecretKey=key',
      ]),
    );
    assert.equal(envValue(withKey, 'AUTH_ENABLED'), 'true');
    assert.deepEqual(
      withKey.env?.find((variable) => variable.name === 'SWITCHYARD_API_KEY')?.valueFrom?.secretKeyRef,
      { name: 'test-key', key: 'key' },
    );
    const withoutKey = testPod(await renderChart(['--set', 'auth.existingSecret=keys']));
    assert.equal(
      withoutKey.env?.some((variable) => variable.name === 'SWITCHYARD_API_KEY'),
      false,
    );
    const open = testPod(await renderChart(['--set', 'auth.enabled=false']));
    assert.equal(envValue(open, 'AUTH_ENABLED'), 'false');
  });
});
