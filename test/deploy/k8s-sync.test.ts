import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { loadRenderK8sScript } from './support/deploy-scripts';
import { parseManifests } from './support/helm-cli';
import { schemaViolations } from './support/schema-validation';

describe('k8s/ plain manifests', () => {
  it('equal the chart rendered with its default values (run `node scripts/render-k8s.mjs` after a chart change)', async () => {
    const { K8S_MANIFEST_PATH, renderK8sManifests } = await loadRenderK8sScript();
    assert.equal(readFileSync(K8S_MANIFEST_PATH, 'utf8'), renderK8sManifests());
  });

  it('hold no password and pass the API schemas', async () => {
    const { K8S_MANIFEST_PATH } = await loadRenderK8sScript();
    const objects = parseManifests(readFileSync(K8S_MANIFEST_PATH, 'utf8'));
    assert.deepEqual(
      objects.filter((object) => object.kind === 'Secret').map((object) => object.metadata.name),
      [],
    );
    assert.deepEqual(await schemaViolations(objects), []);
  });
});
