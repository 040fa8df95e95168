import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ciValuesFiles } from './support/ci-values';
import { renderChart, TEST_NAMESPACE } from './support/helm-cli';
import { envValue, findObject, podOwners, type KubeObject } from './support/kube-object';
import { secretFileText, workload } from './support/rendered-env';
import { schemaViolations } from './support/schema-validation';
import { kedaViolations, labRules, rbacViolations, referenceViolations } from './support/wiring-policies';
import { laneViolations, workloadViolations } from './support/workload-policies';

function allViolations(objects: readonly KubeObject[]): string[] {
  return [
    ...workloadViolations(objects),
    ...laneViolations(objects),
    ...rbacViolations(objects, TEST_NAMESPACE),
    ...kedaViolations(objects),
    ...referenceViolations(objects),
  ];
}

const renders = new Map<string, Promise<KubeObject[]>>();
function renderCi(name: string): Promise<KubeObject[]> {
  const file = ciValuesFiles().find((candidate) => path.basename(candidate) === name);
  assert.ok(file, `helm/switchyard/ci/${name} is missing`);
  let render = renders.get(name);
  if (!render) {
    render = renderChart(['-f', file]);
    renders.set(name, render);
  }
  return render;
}

describe('helm template, every ci/*-values.yaml', () => {
  for (const valuesFile of ciValuesFiles()) {
    const name = path.basename(valuesFile);
    it(`${name}: every object passes its Kubernetes or KEDA API schema`, async () => {
      const objects = await renderCi(name);
      assert.ok(objects.length > 5, `rendered only ${objects.length} objects`);
      assert.deepEqual(await schemaViolations(objects), []);
    });

    it(`${name}: every object keeps the deployment policies`, async () => {
      assert.deepEqual(allViolations(await renderCi(name)), []);
    });
  }
});

describe('rendered chart behaviour', () => {
  it('gives compute a pool size from its CPU limit and pods their name and namespace in OTEL_RESOURCE_ATTRIBUTES', async () => {
    const objects = await renderCi('default-values.yaml');
    const compute = podOwners(objects).find(
      (owner) => owner.object.metadata.name === 'sy-switchyard-compute',
    );
    assert.ok(compute, 'no compute Deployment');
    const container = compute.podSpec.containers[0];
    const poolSize = container.env?.find((variable) => variable.name === 'POOL_SIZE');
    assert.deepEqual(poolSize?.valueFrom?.resourceFieldRef, {
      containerName: 'compute',
      resource: 'limits.cpu',
      divisor: '1',
    });
    const fieldPaths = Object.fromEntries(
      (container.env ?? []).flatMap((variable) =>
        variable.valueFrom?.fieldRef ? [[variable.name, variable.valueFrom.fieldRef.fieldPath]] : [],
      ),
    );
    assert.deepEqual(fieldPaths, { POD_NAME: 'metadata.name', POD_NAMESPACE: 'metadata.namespace' });
    assert.match(
      envValue(container, 'OTEL_RESOURCE_ATTRIBUTES') ?? '',
      /k8s\.pod\.name=\$\(POD_NAME\),k8s\.namespace\.name=\$\(POD_NAMESPACE\)/,
    );
    assert.equal(envValue(container, 'OTEL_SERVICE_NAME'), 'switchyard-compute');
  });

  it('builds REDIS_URL without the password, which comes from a file of the Secret, with rediss:// and the CA for an external TLS Redis', async () => {
    const defaults = await renderCi('default-values.yaml');
    const builtIn = podOwners(defaults).find((owner) => owner.object.metadata.name === 'sy-switchyard-api');
    assert.ok(builtIn);
    const container = builtIn.podSpec.containers[0];
    assert.equal(envValue(container, 'REDIS_URL'), 'redis://sy-switchyard-redis:6379/0');
    const passwordFile = envValue(container, 'REDIS_PASSWORD_FILE') ?? '';
    const password = secretFileText(defaults, builtIn.podSpec, container, passwordFile);
    assert.match(password, /^[A-Za-z0-9]{32}$/, 'the generated password, from the rendered Secret');
    const external = await renderCi('external-redis-tls-values.yaml');
    const api = workload(external, 'sy-switchyard-api');
    assert.equal(envValue(api.container, 'REDIS_URL'), 'rediss://redis.example.internal:6380/2');
    assert.equal(
      secretFileText(
        external,
        api.podSpec,
        api.container,
        envValue(api.container, 'REDIS_PASSWORD_FILE') ?? '',
        {
          'managed-redis': { password: 'from-the-managed-secret' },
        },
      ),
      'from-the-managed-secret',
    );
    assert.equal(envValue(api.container, 'NODE_EXTRA_CA_CERTS'), '/etc/switchyard/redis-ca/ca.pem');
    assert.equal(findObject(external, 'StatefulSet', 'sy-switchyard-redis'), undefined);
    assert.equal(
      external.some((object) => object.kind === 'Secret'),
      false,
    );
  });

  it('runs the built-in Redis with AOF, noeviction and its password from a config file, on a PVC', async () => {
    const objects = await renderCi('default-values.yaml');
    const redis = findObject(objects, 'StatefulSet', 'sy-switchyard-redis');
    assert.ok(redis, 'no Redis StatefulSet');
    const spec = redis.spec as { volumeClaimTemplates: unknown[] };
    const conf = (
      findObject(objects, 'ConfigMap', 'sy-switchyard-redis-config')?.data as Record<string, string>
    )['redis.conf'];
    assert.match(conf, /^appendonly yes$/m);
    assert.match(conf, /^maxmemory-policy noeviction$/m);
    assert.match(conf, /^include \/run\/redis\/auth\.conf$/m);
    assert.doesNotMatch(conf, /^requirepass/m, 'the password is not in the ConfigMap');
    assert.equal(spec.volumeClaimTemplates.length, 1);
  });

  it('adds every extra pool lane to LANES and scales each lane on its own BullMQ keys', async () => {
    const objects = await renderCi('keda-values.yaml');
    const config = findObject(objects, 'ConfigMap', 'sy-switchyard');
    assert.equal((config?.data as Record<string, string>).LANES, 'io,cpu,cpu-batch');
    const scaled = objects
      .filter((object) => object.kind === 'ScaledObject')
      .map((object) => object.metadata.name);
    assert.deepEqual(scaled.sort(), [
      'sy-switchyard-compute',
      'sy-switchyard-compute-batch',
      'sy-switchyard-io-consumer',
    ]);
  });

  it('scales in slowly, so that a removed pod drains before the next goes: KEDA (counting active jobs) and the CPU HPA', async () => {
    const keda = (await renderCi('keda-values.yaml')).filter((object) => object.kind === 'ScaledObject');
    assert.equal(keda.length, 3);
    for (const scaled of keda) {
      const advanced = (scaled.spec as { advanced: Record<string, { formula?: string; behavior?: unknown }> })
        .advanced;
      assert.equal(advanced.scalingModifiers.formula, 'wait + prioritized + active');
      assert.deepEqual(advanced.horizontalPodAutoscalerConfig.behavior, {
        scaleDown: {
          stabilizationWindowSeconds: 300,
          policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }],
        },
      });
    }
    const hpas = (await renderCi('hpa-pools-values.yaml')).filter(
      (object) => object.kind === 'HorizontalPodAutoscaler',
    );
    assert.ok(hpas.length > 0);
    for (const hpa of hpas)
      assert.deepEqual((hpa.spec as { behavior: unknown }).behavior, {
        scaleDown: {
          stabilizationWindowSeconds: 300,
          policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }],
        },
      });
  });

  it('creates the lab RBAC only with the lab: the calls libs/kube makes, scale only of its own consumers', async () => {
    for (const name of ['default-values.yaml', 'keda-values.yaml', 'hpa-pools-values.yaml']) {
      const kinds = (await renderCi(name)).map((object) => object.kind);
      for (const kind of ['ServiceAccount', 'Role', 'RoleBinding', 'Job']) {
        assert.ok(!kinds.includes(kind), `${name} renders a ${kind} without the lab`);
      }
    }
    const lab = await renderCi('lab-values.yaml');
    const consumers = ['sy-switchyard-compute', 'sy-switchyard-io-consumer'];
    assert.deepEqual(findObject(lab, 'Role', 'sy-switchyard-lab')?.rules, labRules(consumers));
    for (const name of consumers) assert.ok(findObject(lab, 'Deployment', name), name);
    const job = podOwners(lab).find((owner) => owner.object.kind === 'Job');
    assert.equal(job?.podSpec.serviceAccountName, 'sy-switchyard-lab');
    assert.deepEqual(job?.podSpec.containers[0].args?.slice(0, 4), [
      'dist/apps/lab/src/main.js',
      '--kube',
      '--namespace',
      '$(POD_NAMESPACE)',
    ]);
    const args = job?.podSpec.containers[0].args ?? [];
    const apiService = findObject(lab, 'Service', 'sy-switchyard-api');
    assert.ok(apiService, 'the api Service the lab submits through');
    assert.match(
      args[args.indexOf('--api-url') + 1] ?? '',
      /^http:\/\/sy-switchyard-api\.[a-z0-9-]+\.svc:80$/,
    );
  });

  it('has a helm test hook that submits a job through the api Service', async () => {
    const test = (await renderCi('default-values.yaml')).find(
      (object) => object.kind === 'Pod' && object.metadata.annotations?.['helm.sh/hook'] === 'test',
    );
    assert.ok(test, 'no helm test Pod');
    const container = podOwners([test])[0].podSpec.containers[0];
    assert.equal(envValue(container, 'API_URL'), 'http://sy-switchyard-api:80');
    assert.deepEqual(JSON.parse(envValue(container, 'TEST_JOB') ?? ''), {
      task: 'io.sleep',
      payload: { ms: 100 },
    });
  });
});

describe('the policy checks themselves', () => {
  it('catch a container without probes, limits or a read-only root, and a Role with a wildcard', async () => {
    const objects = structuredClone(await renderCi('lab-values.yaml'));
    const api = podOwners(objects).find((owner) => owner.object.metadata.name === 'sy-switchyard-api');
    assert.ok(api);
    const container = api.podSpec.containers[0];
    delete container.livenessProbe;
    delete container.resources?.limits;
    container.securityContext = { ...container.securityContext, readOnlyRootFilesystem: false };
    const role = findObject(objects, 'Role', 'sy-switchyard-lab');
    assert.ok(role);
    role.rules = [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }];
    const violations = allViolations(objects).join('\n');
    for (const expected of [
      'no livenessProbe',
      'no limits.cpu',
      'readOnlyRootFilesystem is not true',
      'differ from the least needed',
    ]) {
      assert.ok(violations.includes(expected), `no violation "${expected}" in:\n${violations}`);
    }
  });

  it('catch a KEDA trigger on the delayed set', async () => {
    const objects = structuredClone(await renderCi('keda-values.yaml'));
    const scaled = objects.find((object) => object.kind === 'ScaledObject');
    assert.ok(scaled);
    (scaled.spec as { triggers: { metadata: Record<string, string> }[] }).triggers[1].metadata.listName =
      'sy-prod:{io}:io:delayed';
    assert.match(kedaViolations(objects).join('\n'), /BullMQ keeps lane io in/);
  });
});
