import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ciValuesFiles } from './support/ci-values';
import { renderChart, runHelm } from './support/helm-cli';
import { envValue, findObject, podOwners, type KubeObject, type PodOwner } from './support/kube-object';
import { chartDir } from './support/repo-paths';

function ciFile(name: string): string {
  const file = ciValuesFiles().find((candidate) => path.basename(candidate) === name);
  assert.ok(file, `helm/switchyard/ci/${name} is missing`);
  return file;
}

const component = (owner: PodOwner) => owner.podLabels['app.kubernetes.io/component'] ?? '';

function byComponent(objects: readonly KubeObject[], wanted: string): PodOwner {
  const found = podOwners(objects).find((owner) => component(owner) === wanted);
  assert.ok(found, `no ${wanted} pod`);
  return found;
}

function podAnnotations(owner: PodOwner): Record<string, string> {
  const template = (
    owner.object.spec as { template?: { metadata?: { annotations?: Record<string, string> } } }
  ).template;
  return template?.metadata?.annotations ?? owner.object.metadata.annotations ?? {};
}

describe('chart: what every pod gets', () => {
  it('pulls every image (apps, Redis, Jaeger, lab, helm test) from global.imageRegistry with both pull secret lists', async () => {
    const objects = await renderChart(['-f', ciFile('extras-values.yaml')]);
    const owners = podOwners(objects);
    assert.deepEqual([...new Set(owners.map(component))].sort(), [
      'api',
      'compute',
      'compute-batch',
      'io-consumer',
      'jaeger',
      'lab',
      'redis',
      'test',
    ]);
    for (const owner of owners) {
      const name = owner.object.metadata.name;
      assert.deepEqual(
        owner.podSpec.imagePullSecrets,
        [{ name: 'global-regcred' }, { name: 'regcred' }],
        name,
      );
      for (const container of [...(owner.podSpec.initContainers ?? []), ...owner.podSpec.containers])
        assert.match(container.image ?? '', /^registry\.example\.com\//, `${name}/${container.name}`);
    }
    assert.equal(
      byComponent(objects, 'redis').podSpec.containers[0].image,
      'registry.example.com/redis:7.4.2-bookworm',
    );
    const defaults = await renderChart(['--set', 'auth.existingSecret=keys']);
    assert.equal(
      byComponent(defaults, 'redis').podSpec.containers[0].image,
      'docker.io/redis:7.4.2-bookworm',
    );
    assert.equal(byComponent(defaults, 'api').podSpec.containers[0].image, 'switchyard:0.1.0');
    assert.equal(byComponent(defaults, 'api').podSpec.imagePullSecrets, undefined);
  });

  it('renders each extra of the values: labels, annotations, priority, placement, spread, env, volumes, sidecars, init containers', async () => {
    const objects = await renderChart(['-f', ciFile('extras-values.yaml')]);
    const api = byComponent(objects, 'api');
    assert.equal(api.podLabels.team, 'platform');
    assert.equal(podAnnotations(api)['example.com/owner'], 'platform');
    assert.match(
      podAnnotations(api)['checksum/config'] ?? '',
      /^[0-9a-f]{64}$/,
      'the chart annotations stay',
    );
    assert.equal(api.podSpec.priorityClassName, 'switchyard-api');
    assert.deepEqual(api.podSpec.nodeSelector, { pool: 'web' });
    assert.deepEqual(api.podSpec.tolerations, [
      { key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' },
    ]);
    assert.deepEqual(
      api.podSpec.topologySpreadConstraints?.map((constraint) => constraint.whenUnsatisfiable),
      ['DoNotSchedule'],
      'the values replace the default spread',
    );
    const [main, sidecar] = api.podSpec.containers;
    assert.equal(envValue(main, 'NODE_OPTIONS'), '--max-old-space-size=384');
    assert.deepEqual(
      main.volumeMounts?.find((mount) => mount.name === 'extra-ca'),
      { name: 'extra-ca', mountPath: '/etc/corporate-ca', readOnly: true },
    );
    assert.deepEqual(api.podSpec.volumes?.find((volume) => volume.name === 'extra-ca')?.configMap, {
      name: 'corporate-ca',
    });
    assert.equal(sidecar?.name, 'log-shipper');
    assert.deepEqual(
      api.podSpec.initContainers?.map((container) => container.name),
      ['wait-for-dns'],
    );

    const io = byComponent(objects, 'io-consumer');
    assert.equal(envValue(io.podSpec.containers[0], 'UV_THREADPOOL_SIZE'), '8');
    assert.equal(io.podSpec.priorityClassName, 'switchyard-consumers');
    const batch = byComponent(objects, 'compute-batch');
    assert.equal(batch.podLabels.pool, 'batch');
    assert.equal(envValue(batch.podSpec.containers[0], 'POOL_NOTE'), 'batch');
    assert.equal(batch.podSpec.priorityClassName, 'switchyard-consumers', 'a pool inherits from compute');
    assert.ok(batch.podSpec.affinity?.podAntiAffinity, 'a pool inherits compute.affinity');

    const redis = byComponent(objects, 'redis');
    assert.equal(redis.podLabels.team, 'platform');
    assert.equal(podAnnotations(redis)['backup.example.com/enabled'], 'true');
    assert.equal(redis.podSpec.priorityClassName, 'stateful');
    assert.deepEqual(redis.podSpec.nodeSelector, { disk: 'ssd' });
    assert.ok(redis.podSpec.affinity?.nodeAffinity);
    const jaeger = byComponent(objects, 'jaeger');
    assert.equal(jaeger.podLabels.team, 'platform');
    assert.equal(jaeger.podSpec.priorityClassName, 'observability');
    assert.equal(jaeger.podSpec.tolerations?.[0].value, 'observability');
    assert.deepEqual(byComponent(objects, 'lab').podSpec.nodeSelector, { pool: 'batch' });
  });

  it('runs the api and consumers under serviceAccount.create/name, never mounting its token', async () => {
    const created = await renderChart(['-f', ciFile('extras-values.yaml')]);
    const account = findObject(created, 'ServiceAccount', 'sy-switchyard');
    assert.ok(account, 'no ServiceAccount created');
    assert.deepEqual(account.metadata.annotations, { 'iam.example.com/role': 'switchyard' });
    assert.equal(account.automountServiceAccountToken, false);
    for (const name of ['api', 'io-consumer', 'compute', 'compute-batch']) {
      const pod = byComponent(created, name).podSpec;
      assert.equal(pod.serviceAccountName, 'sy-switchyard', name);
      assert.equal(pod.automountServiceAccountToken, false, name);
    }
    assert.equal(byComponent(created, 'lab').podSpec.serviceAccountName, 'sy-switchyard-lab');
    const named = await renderChart([
      '--set',
      'auth.existingSecret=keys',
      '--set',
      'serviceAccount.name=platform-apps',
    ]);
    assert.equal(byComponent(named, 'api').podSpec.serviceAccountName, 'platform-apps');
    assert.equal(
      named.some((object) => object.kind === 'ServiceAccount'),
      false,
    );
    const none = await renderChart(['--set', 'auth.existingSecret=keys']);
    assert.equal(byComponent(none, 'api').podSpec.serviceAccountName, undefined);
  });

  it('spreads api and consumer pods over nodes and zones by default, softly (ScheduleAnyway), each on its own pods', async () => {
    const objects = await renderChart(['--set', 'auth.existingSecret=keys']);
    for (const name of ['api', 'io-consumer', 'compute']) {
      const owner = byComponent(objects, name);
      const constraints = owner.podSpec.topologySpreadConstraints ?? [];
      assert.deepEqual(
        constraints.map((constraint) => [
          constraint.topologyKey,
          constraint.whenUnsatisfiable,
          constraint.maxSkew,
        ]),
        [
          ['kubernetes.io/hostname', 'ScheduleAnyway', 1],
          ['topology.kubernetes.io/zone', 'ScheduleAnyway', 1],
        ],
        name,
      );
      for (const constraint of constraints) {
        const selector = constraint.labelSelector?.matchLabels ?? {};
        assert.ok(
          Object.entries(selector).every(([key, value]) => owner.podLabels[key] === value),
          name,
        );
        assert.equal(selector['app.kubernetes.io/component'], name);
      }
    }
    const off = await renderChart([
      '--set',
      'auth.existingSecret=keys',
      '--set',
      'topologySpread.enabled=false',
    ]);
    assert.equal(byComponent(off, 'api').podSpec.topologySpreadConstraints, undefined);
  });

  it('keeps the api serving through a preStop sleep (no sleep binary needed) within its grace period', async () => {
    const objects = await renderChart(['--set', 'auth.existingSecret=keys']);
    const api = byComponent(objects, 'api');
    assert.deepEqual(api.podSpec.containers[0].lifecycle?.preStop, { sleep: { seconds: 5 } });
    assert.ok((api.podSpec.terminationGracePeriodSeconds ?? 30) >= 5 + 5);
    const result = await runHelm([
      'template',
      'sy',
      chartDir,
      '--set',
      'auth.existingSecret=keys',
      '--set',
      'api.preStopSleepSeconds=28',
      '--set',
      'config.drainTimeoutMs=40000',
    ]);
    assert.notEqual(result.status, 0);
    assert.match(
      result.stderr,
      /api\.terminationGracePeriodSeconds \(30\) must be at least api\.preStopSleepSeconds \+ 5 = 33/,
    );
    assert.match(
      result.stderr,
      /ioConsumer\.terminationGracePeriodSeconds \(40\) must be at least config\.drainTimeoutMs \/ 1000 \+ 5 = 45/,
    );
    assert.match(result.stderr, /compute\.terminationGracePeriodSeconds \(40\) must be at least/);
    const none = await renderChart([
      '--set',
      'auth.existingSecret=keys',
      '--set',
      'api.preStopSleepSeconds=0',
    ]);
    assert.equal(byComponent(none, 'api').podSpec.containers[0].lifecycle, undefined);
  });

  it('the schema refuses a malformed extra and names it', async () => {
    const result = await runHelm([
      'template',
      'sy',
      chartDir,
      '--set',
      'auth.existingSecret=keys',
      '--set-json',
      'api.sidecars=[{"image":"x"}]',
    ]);
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /sidecars/);
  });
});
