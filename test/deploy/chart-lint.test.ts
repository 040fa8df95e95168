import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ciValuesFiles } from './support/ci-values';
import { parseManifests, runHelm, TEST_NAMESPACE, TEST_RELEASE, type HelmVersion } from './support/helm-cli';
import { chartDir } from './support/repo-paths';

const HELM_VERSIONS: { version: HelmVersion; major: string }[] = [
  { version: 'helm', major: 'v4.' },
  { version: 'helm3', major: 'v3.' },
];

function objectNames(manifests: string): string[] {
  return parseManifests(manifests)
    .map((object) => `${object.kind}/${object.metadata.name}`)
    .sort();
}

describe('helm lint and template, with Helm 4 and Helm 3', () => {
  it('finds ci values files for the supported combinations', () => {
    assert.ok(ciValuesFiles().length >= 5, `only ${ciValuesFiles().length} ci/*-values.yaml files`);
  });

  for (const { version, major } of HELM_VERSIONS) {
    it(`runs ${version} ${major}x`, async () => {
      const result = await runHelm(['version', '--short'], version);
      assert.equal(result.status, 0, result.stderr);
      assert.ok(result.stdout.startsWith(major), result.stdout);
    });

    for (const valuesFile of ciValuesFiles()) {
      it(`${version}: lint --strict passes with ${path.basename(valuesFile)}`, async () => {
        const result = await runHelm(['lint', '--strict', chartDir, '-f', valuesFile], version);
        assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
        assert.match(result.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
      });
    }
  }

  for (const valuesFile of ciValuesFiles()) {
    it(`Helm 3 and Helm 4 render the same objects from ${path.basename(valuesFile)}`, async () => {
      const args = ['template', TEST_RELEASE, chartDir, '--namespace', TEST_NAMESPACE, '-f', valuesFile];
      const [helm4, helm3] = await Promise.all([runHelm(args, 'helm'), runHelm(args, 'helm3')]);
      assert.equal(helm4.status, 0, helm4.stderr);
      assert.equal(helm3.status, 0, helm3.stderr);
      assert.deepEqual(objectNames(helm3.stdout), objectNames(helm4.stdout));
    });
  }
});
