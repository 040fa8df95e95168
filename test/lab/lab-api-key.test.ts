/**
 * The lab's API key: `--api-key` or SWITCHYARD_API_KEY, sent by every request of a `--kube` run. The
 * cluster is the FAKE Kubernetes API of fake-kube-api.ts; the api it submits to is real and requires keys.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createApiKey } from '@switchyard/auth';
import { KubeTarget, LabUsageError, parseLabArgs, runLab, type LabResults } from '@switchyard/lab';
import { startLocalStack, type LocalStack } from '@switchyard/local-stack';
import { deletePrefix } from '../helpers/redis-cleanup';
import { startFakeKubeApi } from './fake-kube-api';
import { RecordingProgress } from './silent-progress';

const now = new Date('2025-03-04T05:06:07.890Z');
const KUBE = ['--kube', '--api-url', 'http://sy-api:3000'];

function apiKeyOf(argv: string[], env: NodeJS.ProcessEnv): string | undefined {
  const parsed = parseLabArgs(argv, now, env);
  assert.ok(!parsed.help);
  return parsed.options.apiKey;
}

describe('switchyard lab --api-key', () => {
  test('takes the key from SWITCHYARD_API_KEY, or the flag first, trimmed, with --kube only', () => {
    assert.equal(apiKeyOf(KUBE, { SWITCHYARD_API_KEY: 'sy_from-env\n' }), 'sy_from-env');
    assert.equal(apiKeyOf([...KUBE, '--api-key', 'sy_flag'], { SWITCHYARD_API_KEY: 'sy_env' }), 'sy_flag');
    assert.equal(apiKeyOf(KUBE, {}), undefined);
    // A local stack runs without keys: the variable is not for it.
    assert.equal(apiKeyOf([], { SWITCHYARD_API_KEY: 'sy_env' }), undefined);
    assert.throws(
      () => parseLabArgs(['--api-key', 'sy_x'], now, {}),
      (error: unknown) =>
        error instanceof LabUsageError && /--api-key only apply with --kube/.test(error.message),
    );
  });

  test('refuses a key no Authorization header can carry, without printing it', () => {
    const secret = 'sy_two words';
    assert.throws(
      () => parseLabArgs(KUBE, now, { SWITCHYARD_API_KEY: secret }),
      (error: unknown) =>
        error instanceof LabUsageError &&
        /characters an Authorization header cannot carry/.test(error.message) &&
        !error.message.includes(secret),
    );
  });
});

describe('lab --kube against an api that requires keys', () => {
  const NAMESPACE = 'lab-keys';
  const admin = createApiKey('lab', ['jobs:write', 'jobs:read', 'admin']);
  const tenant = createApiKey('team-a', ['jobs:write', 'jobs:read']);
  const prefix = `test-${randomUUID()}`;
  let stack: LocalStack;

  before(async () => {
    stack = await startLocalStack({
      prefix,
      services: [
        { name: 'api', app: 'api' },
        { name: 'io-consumer', app: 'io-consumer', env: { IO_CONCURRENCY: '50' } },
      ],
      env: {
        AUTH: 'keys',
        API_KEYS: [admin.entry, tenant.entry].join(','),
        ALLOW_PROFILE_OVERRIDE: 'false',
        LOG_LEVEL: 'warn',
      },
    });
  });

  after(async () => {
    await stack?.stop();
    if (stack) await deletePrefix(stack.redisUrl, prefix);
  });

  async function misrouting(apiKey: string | undefined): Promise<{ results: LabResults; lines: string[] }> {
    const fake = await startFakeKubeApi(NAMESPACE, [
      { name: 'sy-io-consumer', component: 'io-consumer', replicas: 1, env: { IO_CONCURRENCY: '50' } },
    ]);
    const progress = new RecordingProgress();
    try {
      const results = await runLab({
        target: new KubeTarget({
          namespace: NAMESPACE,
          apiUrl: stack.apiUrl,
          apiKey,
          kubeconfigPath: fake.kubeconfigPath,
          quick: true,
          only: ['misrouting'],
          scaler: { pollIntervalMs: 10 },
          readPodStats: false,
        }),
        options: { quick: true, repeat: 1 },
        progress,
        signal: new AbortController().signal,
      });
      return { results, lines: progress.lines };
    } finally {
      await fake.close();
    }
  }

  const errors = (results: LabResults) =>
    Object.fromEntries(results.cells.map((cell) => [cell.id, cell.error]));

  test('with an admin key every request is let in, the misrouted CPU jobs included', async () => {
    const { results, lines } = await misrouting(admin.key);
    assert.equal(results.partial, false, results.partialReason);
    assert.deepEqual(errors(results), {
      'misrouting/io-alone': undefined,
      'misrouting/cpu-on-io-lane': undefined,
    });
    const written = JSON.stringify(results) + lines.join('\n');
    assert.ok(!written.includes(admin.key), 'the key reached the results or the progress output');
  });

  test('with a key without admin, the misrouted CPU jobs are refused and named so', async () => {
    const cells = errors((await misrouting(tenant.key)).results);
    assert.equal(cells['misrouting/io-alone'], undefined);
    assert.match(cells['misrouting/cpu-on-io-lane'] ?? '', /422.*needs an admin key/);
  });

  test('without a key every cell fails with 401', async () => {
    for (const error of Object.values(errors((await misrouting(undefined)).results)))
      assert.match(error ?? '', /answered 401/);
  });
});
