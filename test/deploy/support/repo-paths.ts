import path from 'node:path';

/** The repository root: this file runs from dist/test/deploy/support/. */
export const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
export const chartDir = path.join(repoRoot, 'helm', 'switchyard');
export const chartCiValuesDir = path.join(chartDir, 'ci');
export const composeFile = path.join(repoRoot, 'docker', 'compose.yaml');
export const dockerfile = path.join(repoRoot, 'docker', 'Dockerfile');
export const dockerignore = path.join(repoRoot, '.dockerignore');
