import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { freePort } from '@switchyard/local-stack';
import { renderChart, runHelm, TEST_NAMESPACE, TEST_RELEASE } from './support/helm-cli';
import { findObject, podOwners, type KubeObject } from './support/kube-object';
import { chartDir } from './support/repo-paths';

const KEYS = ['--set', 'auth.existingSecret=keys'];
/** Every pod that reads the Redis password, Redis itself included. */
const READERS = [
  'sy-switchyard-api',
  'sy-switchyard-io-consumer',
  'sy-switchyard-compute',
  'sy-switchyard-redis',
];

function secretChecksums(objects: readonly KubeObject[]): Record<string, string | undefined> {
  return Object.fromEntries(
    READERS.map((name) => {
      const owner = podOwners(objects).find((candidate) => candidate.object.metadata.name === name);
      assert.ok(owner, `no ${name}`);
      const template = (
        owner.object.spec as { template: { metadata: { annotations?: Record<string, string> } } }
      ).template;
      return [name, template.metadata.annotations?.['checksum/secret']];
    }),
  );
}

async function template(args: readonly string[]): Promise<string> {
  const result = await runHelm([
    'template',
    TEST_RELEASE,
    chartDir,
    '--namespace',
    TEST_NAMESPACE,
    ...KEYS,
    ...args,
  ]);
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('chart: the Redis password', () => {
  it('a new password rolls every pod that reads it, Redis included', async () => {
    const before = secretChecksums(await renderChart([...KEYS, '--set', 'redis.auth.password=first']));
    const after = secretChecksums(await renderChart([...KEYS, '--set', 'redis.auth.password=second']));
    for (const name of READERS) {
      assert.match(before[name] ?? '', /^[0-9a-f]{64}$/, `${name} has no checksum/secret`);
      assert.notEqual(after[name], before[name], `${name} keeps running with the old password`);
    }
    const existing = secretChecksums(
      await renderChart([
        ...KEYS,
        '--set',
        'redis.auth.existingSecret=mine',
        '--set',
        'redis.auth.password=',
      ]),
    );
    for (const name of READERS)
      assert.match(existing[name] ?? '', /^[0-9a-f]{64}$/, `${name} with existingSecret`);
  });

  it('a generated password is the same in the Secret and in every checksum of one render', async () => {
    const objects = await renderChart(KEYS);
    const secret = findObject(objects, 'Secret', 'sy-switchyard-redis');
    const password = Buffer.from(
      (secret?.data as Record<string, string>)['redis-password'],
      'base64',
    ).toString();
    assert.equal(secretChecksums(objects)['sy-switchyard-redis'], sha256(sha256(password)));
  });

  it('renders byte for byte the same when a password or existingSecret is given; a generated one changes', async () => {
    for (const args of [
      ['--set', 'redis.auth.password=gitops-password'],
      ['--set', 'redis.auth.existingSecret=redis-credentials'],
      [
        '--set',
        'redis.enabled=false',
        '--set',
        'externalRedis.host=redis.example',
        '--set',
        'externalRedis.existingSecret=r',
      ],
    ]) {
      assert.equal(await template(args), await template(args), args.join(' '));
    }
    // What docs/deploy.md warns GitOps users about: `helm template` cannot look the old password up.
    assert.notEqual(await template([]), await template([]));
  });

  it('keeps the password out of every argv and env: Redis reads a config file, the apps REDIS_PASSWORD_FILE', async () => {
    const objects = await renderChart([...KEYS, '--set', 'redis.auth.password=never-in-argv']);
    const text = JSON.stringify(objects.filter((object) => object.kind !== 'Secret'));
    assert.ok(!text.includes('never-in-argv'), 'the password appears outside its Secret');
    for (const owner of podOwners(objects)) {
      for (const container of [...(owner.podSpec.initContainers ?? []), ...owner.podSpec.containers]) {
        const fromSecret = (container.env ?? []).filter(
          (variable) => variable.valueFrom?.secretKeyRef?.name === 'sy-switchyard-redis',
        );
        assert.deepEqual(
          fromSecret,
          [],
          `${owner.object.metadata.name}/${container.name} takes the password into env`,
        );
        assert.equal(
          (container.env ?? []).some((variable) => variable.name === 'REDIS_PASSWORD'),
          false,
          `${owner.object.metadata.name}/${container.name}`,
        );
      }
    }
    const redis = podOwners(objects).find((owner) => owner.object.kind === 'StatefulSet');
    const script = redis?.podSpec.containers[0].args?.join('\n') ?? '';
    assert.match(
      script,
      /printf 'requirepass "%s"\\n' "\$\(cat \/etc\/redis-secret\/password\)" > \/run\/redis\/auth\.conf/,
    );
    assert.match(script, /^exec redis-server \/etc\/redis\/redis\.conf$/m);
    const auth = redis?.podSpec.volumes?.find((volume) => volume.name === 'auth');
    assert.equal(auth?.emptyDir?.medium, 'Memory', 'the written auth.conf never lands on a node disk');
  });
});

describe('chart: the built-in Redis as rendered, run for real', () => {
  it('the container script and redis.conf start a redis-server that requires the Secret password, which its argv lacks', async () => {
    const objects = await renderChart(KEYS);
    const secret = findObject(objects, 'Secret', 'sy-switchyard-redis');
    const password = Buffer.from(
      (secret?.data as Record<string, string>)['redis-password'],
      'base64',
    ).toString();
    const conf = (
      findObject(objects, 'ConfigMap', 'sy-switchyard-redis-config')?.data as Record<string, string>
    )['redis.conf'];
    const container = podOwners(objects).find((owner) => owner.object.kind === 'StatefulSet')?.podSpec
      .containers[0];
    assert.ok(container);
    // The pod's paths, moved under a private directory; a private port instead of 6379.
    const root = mkdtempSync(path.join(tmpdir(), 'chart-redis-'));
    const port = await freePort();
    const moved = (text: string) =>
      text
        .replaceAll('/etc/redis-secret', `${root}/etc/redis-secret`)
        .replaceAll('/etc/redis/', `${root}/etc/redis/`)
        .replaceAll('/run/redis', `${root}/run/redis`)
        .replaceAll('dir /data', `dir ${root}/data`)
        .replaceAll('redis-cli ping', `redis-cli -p ${port} ping`);
    for (const dir of ['etc/redis-secret', 'etc/redis', 'run/redis', 'data'])
      mkdirSync(path.join(root, dir), { recursive: true });
    writeFileSync(path.join(root, 'etc/redis-secret/password'), password);
    writeFileSync(path.join(root, 'etc/redis/redis.conf'), `${moved(conf)}\nport ${port}\nbind 127.0.0.1\n`);
    const [command, ...args] = [...(container.command ?? []), ...(container.args ?? [])].map(moved);
    const server = spawn(command, args, { stdio: 'ignore' });
    const connect = async (withPassword: string) => {
      const redis = new Redis({
        port,
        password: withPassword,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      redis.on('error', () => undefined);
      try {
        await redis.connect();
      } catch (error) {
        redis.disconnect();
        throw error;
      }
      return redis;
    };
    let client: Redis | undefined;
    try {
      await waitFor(async () => {
        client = await connect(password);
        return true;
      });
      assert.ok(client);
      const cmdline = readFileSync(`/proc/${server.pid}/cmdline`, 'utf8');
      assert.match(cmdline, /redis-server/, 'sh exec-ed into redis-server');
      assert.ok(!cmdline.includes(password), `the password is in argv: ${cmdline}`);
      assert.deepEqual(await client.config('GET', 'maxmemory'), [
        'maxmemory',
        String(Math.floor(512 * 1024 ** 2 * 0.6)),
      ]);
      assert.deepEqual(await client.config('GET', 'maxmemory-policy'), ['maxmemory-policy', 'noeviction']);
      assert.deepEqual(await client.config('GET', 'appendonly'), ['appendonly', 'yes']);
      const probe = container.readinessProbe?.exec?.command?.map(moved) ?? [];
      assert.equal(spawnSync(probe[0], probe.slice(1)).status, 0, 'the readiness probe passes');
      await assert.rejects(connect('wrong'), 'another password is refused');
    } finally {
      client?.disconnect();
      server.kill();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('chart: Redis maxmemory leaves room for the AOF rewrite', () => {
  const redisConf = (objects: readonly KubeObject[]) =>
    (findObject(objects, 'ConfigMap', 'sy-switchyard-redis-config')?.data as Record<string, string>)[
      'redis.conf'
    ];
  const maxmemory = (conf: string) => Number(/^maxmemory (\d+)$/m.exec(conf)?.[1]);

  it('defaults to 60 % of the memory limit', async () => {
    assert.equal(maxmemory(redisConf(await renderChart(KEYS))), Math.floor(512 * 1024 * 1024 * 0.6));
    const bigger = await renderChart([...KEYS, '--set', 'redis.resources.limits.memory=2Gi']);
    assert.equal(maxmemory(redisConf(bigger)), Math.floor(2 * 1024 ** 3 * 0.6));
  });

  it('takes an explicit maxmemory within that share and refuses one above it', async () => {
    assert.equal(
      maxmemory(redisConf(await renderChart([...KEYS, '--set', 'redis.maxmemory=256mb']))),
      256 * 1024 ** 2,
    );
    const result = await runHelm(['template', 'sy', chartDir, ...KEYS, '--set', 'redis.maxmemory=400mb']);
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /redis\.maxmemory \(400mb\) exceeds 60 % of the memory limit \(512Mi\)/);
  });
});
