// Builds, from the Go module proxy, the real servers the infrastructure tests run against, and caches them
// under .tools/infra/<tool>-<version>-<recipe hash>/ (gitignored): Jaeger v2 (all-in-one, in-memory storage) for
// `npm run test:jaeger`; etcd and kube-apiserver for `npm run test:kube`. A second run reuses the cache.
// Each build is time-boxed; a failure is recorded beside the cache with its reason, which the tests print
// (the Kubernetes tests then fall back to the fake API, and say so).
//   node scripts/test-infra.mjs [jaeger] [etcd] [kube-apiserver] [kube]   (kube = etcd + kube-apiserver;
//                                                                          no argument = all three)
//   node scripts/test-infra.mjs --summary kube     builds nothing: says whether the real servers are there
// Environment: TEST_INFRA_TIMEOUT_MIN overrides every build's time box (minutes); TEST_INFRA_RETRY=1
// retries a build that failed before instead of reporting the recorded failure.
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const KUBERNETES_VERSION = 'v1.35.4';
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cacheRoot = path.join(repoRoot, '.tools', 'infra');

/**
 * What each tool is built from. `module` is required by a throwaway wrapper module whose tools.go imports
 * `pkg`; `replaces` adds replace directives the published module needs; `ldflags` are passed to `go build`; `timeoutMin` is the time box of a
 * cold build (measured cold on 2 busy cores: Jaeger 15 min, kube-apiserver ~10 min, etcd ~2 min).
 */
export const INFRA_TOOLS = {
  jaeger: {
    module: 'github.com/jaegertracing/jaeger',
    version: 'v1.76.0',
    pkg: 'github.com/jaegertracing/jaeger/cmd/jaeger',
    // Jaeger's own go.mod replaces sarama with a fork path that `go install` refuses; pin the upstream one.
    replaces: () => ['github.com/Shopify/sarama => github.com/Shopify/sarama v1.33.0'],
    timeoutMin: 30,
  },
  etcd: {
    module: 'go.etcd.io/etcd/server/v3',
    version: 'v3.7.3',
    pkg: 'go.etcd.io/etcd/server/v3',
    replaces: () => [],
    timeoutMin: 10,
  },
  'kube-apiserver': {
    module: 'k8s.io/kubernetes',
    version: KUBERNETES_VERSION,
    pkg: 'k8s.io/kubernetes/cmd/kube-apiserver',
    replaces: stagingReplaces,
    // Without these the server reports v0.0.0-master, which Helm refuses against the chart's kubeVersion.
    ldflags: [
      `-X k8s.io/component-base/version.gitVersion=${KUBERNETES_VERSION}`,
      `-X k8s.io/component-base/version.gitMajor=${KUBERNETES_VERSION.split('.')[0].slice(1)}`,
      `-X k8s.io/component-base/version.gitMinor=${KUBERNETES_VERSION.split('.')[1]}`,
      '-X k8s.io/component-base/version.gitTreeState=clean',
    ],
    timeoutMin: 25,
  },
};

/**
 * k8s.io/kubernetes replaces every k8s.io/<staging module> with a ./staging folder that the module download
 * does not contain; each is published on its own as v0.<minor>.<patch>, so point the replace there.
 */
function stagingReplaces({ module, version }, dir, log) {
  const download = run('go', ['mod', 'download', '-json', `${module}@${version}`], dir, log);
  const { GoMod } = JSON.parse(download);
  const stagingVersion = version.replace(/^v1\./, 'v0.');
  const replaces = [...readFileSync(GoMod, 'utf8').matchAll(/^\s*(k8s\.io\/\S+) => \.\/staging\/\S+$/gm)].map(
    ([, staged]) => `${staged} => ${staged} ${stagingVersion}`,
  );
  if (replaces.length === 0) throw new Error(`${GoMod} has no ./staging replaces: has its layout changed?`);
  return replaces;
}

/** The cache key: the version, and a hash of the whole recipe so a changed recipe rebuilds. */
const toolDir = (name) => {
  const { version, ...recipe } = INFRA_TOOLS[name];
  const hash = createHash('sha256')
    .update(JSON.stringify({ ...recipe, replaces: String(recipe.replaces) }))
    .digest('hex');
  return path.join(cacheRoot, `${name}-${version}-${hash.slice(0, 8)}`);
};
const binaryPath = (name) => path.join(toolDir(name), 'bin', name);
const failurePath = (name) => path.join(toolDir(name), 'failed.txt');

/**
 * Where a tool stands without building anything: `{ path }` when its binary is cached, else `{ reason }`
 * (the recorded build failure, or that it was never built).
 * @param {keyof typeof INFRA_TOOLS} name
 * @returns {{ path: string } | { reason: string }}
 */
export function infraTool(name) {
  if (!INFRA_TOOLS[name])
    throw new Error(`unknown tool "${name}": one of ${Object.keys(INFRA_TOOLS).join(', ')}`);
  if (existsSync(binaryPath(name))) return { path: binaryPath(name) };
  if (existsSync(failurePath(name))) return { reason: readFileSync(failurePath(name), 'utf8').trim() };
  return {
    reason: `${name} ${INFRA_TOOLS[name].version} is not built: run \`node scripts/test-infra.mjs ${name}\``,
  };
}

function run(command, args, cwd, log) {
  const fd = openSync(log, 'a');
  try {
    return execFileSync(command, args, {
      cwd,
      env: goEnv(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', fd],
    });
  } finally {
    closeSync(fd);
  }
}

// GOTOOLCHAIN=local: a dependency asking for a newer Go fails here with that message instead of quietly
// downloading a toolchain.
const goEnv = () => ({ ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' });

/** Runs a command in its own process group and kills the whole group (go and its compilers) at the deadline. */
function runTimeBoxed(command, args, cwd, log, deadline) {
  return new Promise((resolve, reject) => {
    const fd = openSync(log, 'a');
    const child = spawn(command, args, { cwd, env: goEnv(), stdio: ['ignore', fd, fd], detached: true });
    closeSync(fd);
    const timer = setTimeout(
      () => {
        process.kill(-child.pid, 'SIGKILL');
        reject(new Error(`\`${command} ${args[0]}\` still running at the time box; killed`));
      },
      Math.max(0, deadline - Date.now()),
    );
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`\`${command} ${args[0]}\` exited with ${code ?? signal}`));
    });
  });
}

const lastLines = (file, count) => readFileSync(file, 'utf8').trimEnd().split('\n').slice(-count).join('\n');

/**
 * Builds a tool into the cache unless it is there already (or failed before, unless TEST_INFRA_RETRY=1).
 * @param {keyof typeof INFRA_TOOLS} name
 * @returns {Promise<{ path?: string, reason?: string, built: boolean, seconds: number }>}
 */
export async function buildInfraTool(name) {
  const spec = INFRA_TOOLS[name];
  const started = Date.now();
  const cached = infraTool(name);
  if ('path' in cached || (process.env.TEST_INFRA_RETRY !== '1' && existsSync(failurePath(name))))
    return { ...cached, built: false, seconds: 0 };
  if (!hasGo())
    return recordFailure(name, 'no `go` on PATH: install Go >= 1.25 (https://go.dev/dl/)', started);
  const dir = path.join(toolDir(name), 'src');
  const log = path.join(toolDir(name), 'build.log');
  rmSync(toolDir(name), { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const timeoutMin = Number(process.env.TEST_INFRA_TIMEOUT_MIN ?? spec.timeoutMin);
  const deadline = started + timeoutMin * 60_000;
  try {
    const replaces = spec.replaces(spec, dir, log);
    writeFileSync(
      path.join(dir, 'go.mod'),
      [`module switchyard.local/${name}-build`, '', 'go 1.25', '', `require ${spec.module} ${spec.version}`]
        .concat(replaces.length ? ['', 'replace (', ...replaces.map((line) => `\t${line}`), ')'] : [])
        .join('\n') + '\n',
    );
    writeFileSync(
      path.join(dir, 'tools.go'),
      `//go:build tools\n\npackage tools\n\nimport _ "${spec.pkg}"\n`,
    );
    await runTimeBoxed('go', ['mod', 'tidy'], dir, log, deadline);
    const ldflags = spec.ldflags ? ['-ldflags', spec.ldflags.join(' ')] : [];
    await runTimeBoxed('go', ['build', ...ldflags, '-o', binaryPath(name), spec.pkg], dir, log, deadline);
  } catch (error) {
    const why = `${error.message} (time box ${timeoutMin} min); last lines of ${log}:\n${lastLines(log, 15)}`;
    return recordFailure(name, `building ${name} ${spec.version} failed: ${why}`, started);
  }
  return { path: binaryPath(name), built: true, seconds: (Date.now() - started) / 1000 };
}

function hasGo() {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function recordFailure(name, reason, started) {
  mkdirSync(toolDir(name), { recursive: true });
  writeFileSync(failurePath(name), reason + '\n');
  return { reason, built: false, seconds: (Date.now() - started) / 1000 };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  // --summary: build nothing; say which of the named servers the tests just ran against (a closing note).
  const summary = args.includes('--summary');
  const asked = args
    .filter((arg) => arg !== '--summary')
    .flatMap((arg) => (arg === 'kube' ? ['etcd', 'kube-apiserver'] : [arg]));
  const names = asked.length > 0 ? asked : Object.keys(INFRA_TOOLS);
  for (const name of names) {
    if (!INFRA_TOOLS[name])
      throw new Error(`unknown tool "${name}": one of ${Object.keys(INFRA_TOOLS).join(', ')}, kube`);
  }
  for (const name of names) {
    const { version } = INFRA_TOOLS[name];
    if (summary) {
      const tool = infraTool(name);
      process.stdout.write(
        'path' in tool
          ? `# the tests ran against the real ${name} ${version} (${tool.path})\n`
          : `# NO real ${name} ${version}: the tests that need it were skipped (fake stand-ins only). ${tool.reason}\n`,
      );
      continue;
    }
    if (!('path' in infraTool(name)))
      process.stdout.write(`# ${name} ${version}: building from the Go module proxy (time-boxed)...\n`);
    const result = await buildInfraTool(name);
    if (result.path && result.built)
      process.stdout.write(
        `# ${name} ${version}: built in ${result.seconds.toFixed(0)} s -> ${result.path}\n`,
      );
    else if (result.path) process.stdout.write(`# ${name} ${version}: cached -> ${result.path}\n`);
    else process.stdout.write(`# ${name} ${version}: NOT AVAILABLE. ${result.reason}\n`);
  }
}
