import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { loadChartReadmeScript } from './support/deploy-scripts';
import { chartDir } from './support/repo-paths';

/** Every leaf key of values.yaml, dotted (arrays and empty maps are leaves). */
function leafKeys(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length === 0)
    return [prefix];
  return Object.entries(value).flatMap(([key, child]) => leafKeys(child, prefix ? `${prefix}.${key}` : key));
}

describe('helm/switchyard/README.md', () => {
  it('holds the parameter table generated from values.yaml (run `npm run chart:readme` after changing values)', async () => {
    const { CHART_README_PATH, renderChartReadme } = await loadChartReadmeScript();
    assert.equal(readFileSync(CHART_README_PATH, 'utf8'), renderChartReadme());
  });

  it('documents every top-level value and every component with a row', () => {
    const readme = readFileSync(`${chartDir}/README.md`, 'utf8');
    const values = parse(readFileSync(`${chartDir}/values.yaml`, 'utf8')) as Record<string, unknown>;
    const rows = new Set([...readme.matchAll(/^\| `([^`]+)`/gm)].map((match) => match[1]));
    const documented = (key: string) =>
      [...rows].some((row) => row === key || key.startsWith(`${row}.`) || row.startsWith(`${key}.`));
    const missing = leafKeys(values).filter((key) => !documented(key));
    assert.deepEqual(missing, []);
  });
});
