import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { loadToolsScript } from './deploy-scripts';
import { chartDir } from './repo-paths';
import type { KubeObject } from './kube-object';

export interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `helm` is Helm 4 (the default everywhere), `helm3` Helm 3: the chart supports both. */
export type HelmVersion = 'helm' | 'helm3';

const helmBinaries = new Map<HelmVersion, Promise<string>>();

/** Runs a helm binary shipped in an npm package (extracted once into .tools/bin by scripts/tools.mjs). */
export async function runHelm(args: readonly string[], version: HelmVersion = 'helm'): Promise<HelmResult> {
  if (!helmBinaries.has(version))
    helmBinaries.set(
      version,
      loadToolsScript().then((tools) => tools.toolPath(version)),
    );
  const result = spawnSync(await helmBinaries.get(version)!, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Release name and namespace every test renders with. */
export const TEST_RELEASE = 'sy';
export const TEST_NAMESPACE = 'switchyard-test';

/** `helm template` of the chart with extra arguments (-f file, --set ...); fails on any helm error. */
export async function renderChart(args: readonly string[] = []): Promise<KubeObject[]> {
  const result = await runHelm(['template', TEST_RELEASE, chartDir, '--namespace', TEST_NAMESPACE, ...args]);
  if (result.status !== 0) throw new Error(`helm template ${args.join(' ')} failed:\n${result.stderr}`);
  return parseManifests(result.stdout);
}

export function parseManifests(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0)
        throw new Error(`rendered YAML does not parse: ${document.errors[0].message}`);
      return document.toJS() as KubeObject | null;
    })
    .filter((object): object is KubeObject => object !== null);
}
