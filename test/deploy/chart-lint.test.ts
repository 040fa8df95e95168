import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ciValuesFiles } from './support/ci-values';
import { runHelm } from './support/helm-cli';
import { chartDir } from './support/repo-paths';

describe('helm lint', () => {
  it('finds ci values files for the supported combinations', () => {
    assert.ok(ciValuesFiles().length >= 5, `only ${ciValuesFiles().length} ci/*-values.yaml files`);
  });

  for (const valuesFile of ciValuesFiles()) {
    it(`passes --strict with ${path.basename(valuesFile)}`, async () => {
      const result = await runHelm(['lint', '--strict', chartDir, '-f', valuesFile]);
      assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
      assert.match(result.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    });
  }
});
