import { readdirSync } from 'node:fs';
import path from 'node:path';
import { chartCiValuesDir } from './repo-paths';

/** Every supported combination of values: helm/switchyard/ci/*-values.yaml. */
export function ciValuesFiles(): string[] {
  return readdirSync(chartCiValuesDir)
    .filter((file) => file.endsWith('-values.yaml'))
    .sort()
    .map((file) => path.join(chartCiValuesDir, file));
}
