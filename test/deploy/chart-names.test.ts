import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseManifests, runHelm, TEST_NAMESPACE } from './support/helm-cli';
import { podOwners, type KubeObject } from './support/kube-object';
import { chartDir } from './support/repo-paths';
import { schemaViolations } from './support/schema-validation';
import { kedaViolations, rbacViolations, referenceViolations } from './support/wiring-policies';
import { laneViolations, workloadViolations } from './support/workload-policies';

/** Helm's longest release name: 53 characters. */
const LONG_RELEASE = 'a-release-name-of-fifty-three-characters-exactly-1234';

/** Kubernetes' limits: DNS labels (Services, and what becomes a label value) 63; a StatefulSet 52. */
function nameViolations(objects: readonly KubeObject[]): string[] {
  const violations: string[] = [];
  const seen = new Set<string>();
  for (const object of objects) {
    const { name } = object.metadata;
    const limit = object.kind === 'StatefulSet' ? 52 : 63;
    if (name.length > limit) violations.push(`${object.kind}/${name}: ${name.length} > ${limit} characters`);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name))
      violations.push(`${object.kind}/${name}: not a DNS label`);
    const key = `${object.kind}/${name}`;
    if (seen.has(key)) violations.push(`${key}: rendered twice`);
    seen.add(key);
    for (const [label, value] of Object.entries(object.metadata.labels ?? {})) {
      if (value.length > 63) violations.push(`${key}: label ${label} is ${value.length} characters`);
    }
  }
  for (const owner of podOwners(objects)) {
    for (const [label, value] of Object.entries(owner.podLabels)) {
      if (value.length > 63) violations.push(`${owner.object.metadata.name}: pod label ${label} too long`);
    }
  }
  return violations;
}

describe('chart: object names with the longest release name', () => {
  it(`renders within 63 characters (52 for the StatefulSet) for "${LONG_RELEASE}" and keeps every reference`, async () => {
    assert.equal(LONG_RELEASE.length, 53);
    const result = await runHelm([
      'template',
      LONG_RELEASE,
      chartDir,
      '--namespace',
      TEST_NAMESPACE,
      '-f',
      `${chartDir}/ci/keda-values.yaml`,
      '--set',
      'lab.enabled=true',
      '--set',
      'lab.apiKey.existingSecret=lab-key',
      '--set',
      'metrics.serviceMonitor.enabled=true',
      '--set',
      'metrics.dashboard.enabled=true',
    ]);
    assert.equal(result.status, 0, result.stderr);
    const objects = parseManifests(result.stdout);
    assert.deepEqual(nameViolations(objects), []);
    assert.ok(objects.some((object) => object.metadata.name.endsWith('-redis-headless')));
    assert.ok(objects.some((object) => object.kind === 'StatefulSet' && object.metadata.name.length === 52));
    // Services, PDBs, ScaledObjects, RoleBindings and env still point at what is rendered.
    assert.deepEqual(
      [
        ...workloadViolations(objects),
        ...laneViolations(objects),
        ...rbacViolations(objects, TEST_NAMESPACE),
        ...kedaViolations(objects),
        ...referenceViolations(objects),
      ],
      [],
    );
    assert.deepEqual(await schemaViolations(objects), []);
    const statefulSet = objects.find((object) => object.kind === 'StatefulSet');
    const serviceName = (statefulSet?.spec as { serviceName: string }).serviceName;
    assert.ok(objects.some((object) => object.kind === 'Service' && object.metadata.name === serviceName));
  });

  it('the policy check itself catches a name over the limit', () => {
    const object: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x'.repeat(64) } };
    assert.match(nameViolations([object]).join('\n'), /64 > 63 characters/);
  });
});
