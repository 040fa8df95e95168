import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './repo-paths';

/** scripts/tools.mjs: the helm and kubectl binaries shipped in an npm package. */
interface ToolsScript {
  toolPath(name: 'helm' | 'helm3' | 'kubectl'): string;
}

/** scripts/render-k8s.mjs: the chart's rendering that k8s/ must equal. */
interface RenderK8sScript {
  K8S_MANIFEST_PATH: string;
  renderK8sManifests(): string;
}

/** scripts/chart-readme.mjs: the chart README with its parameter table regenerated from values.yaml. */
interface ChartReadmeScript {
  CHART_README_PATH: string;
  renderChartReadme(): string;
}

// The scripts are plain ES modules run by `node` without a build, so the compiled tests load them
// with import() (tsc keeps a dynamic import as is under module node20).
async function loadScript<Module>(name: string): Promise<Module> {
  return (await import(pathToFileURL(path.join(repoRoot, 'scripts', name)).href)) as Module;
}

export const loadToolsScript = () => loadScript<ToolsScript>('tools.mjs');
export const loadRenderK8sScript = () => loadScript<RenderK8sScript>('render-k8s.mjs');
export const loadChartReadmeScript = () => loadScript<ChartReadmeScript>('chart-readme.mjs');
