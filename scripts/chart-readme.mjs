// Regenerates the parameter table of helm/switchyard/README.md from the `## @param` comments of
// helm/switchyard/values.yaml, with Bitnami's readme-generator-for-helm (a devDependency). test/deploy
// checks that the README is in sync.
//   node scripts/chart-readme.mjs            rewrite helm/switchyard/README.md
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CHART_README_PATH = path.join(repoRoot, 'helm', 'switchyard', 'README.md');
const valuesPath = path.join(repoRoot, 'helm', 'switchyard', 'values.yaml');

function generatorBin() {
  const require = createRequire(path.join(repoRoot, 'package.json'));
  const manifest = require.resolve('@bitnami/readme-generator-for-helm/package.json');
  return path.join(path.dirname(manifest), 'bin', 'index.js');
}

/** Runs the generator on `readme` in place; throws with its output when values.yaml lacks metadata. */
function generate(readme) {
  const result = spawnSync(process.execPath, [generatorBin(), '--values', valuesPath, '--readme', readme], {
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`readme-generator-for-helm failed:\n${result.stdout}${result.stderr}`);
  }
}

/**
 * The text helm/switchyard/README.md must hold: the committed README with its table regenerated.
 * @returns {string}
 */
export function renderChartReadme() {
  const dir = mkdtempSync(path.join(tmpdir(), 'chart-readme-'));
  try {
    const copy = path.join(dir, 'README.md');
    copyFileSync(CHART_README_PATH, copy);
    generate(copy);
    return readFileSync(copy, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  generate(CHART_README_PATH);
  process.stdout.write(`wrote ${path.relative(repoRoot, CHART_README_PATH)}\n`);
}
