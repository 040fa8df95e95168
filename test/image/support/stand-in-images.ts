import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { docker, dockerBinary, imageExists, run } from './docker-cli';

// Registry images cannot be pulled on this machine (no Docker Hub), so the test makes look-alikes of the two
// it needs from what it can reach: Debian's mirror (debootstrap) and the npm registry (the `node`
// devDependency's Node 22 binary, npm). Each is tagged by a hash of what goes into it, so a second run
// finds it and builds nothing.

/** The registry image the Dockerfile defaults to; used as is when present locally. */
export const OFFICIAL_NODE_IMAGE = 'node:22-bookworm-slim';
/** The Redis image the compose file defaults to. */
export const OFFICIAL_REDIS_IMAGE = 'redis:7.4.2-bookworm';
const DEBIAN_MIRROR = 'http://deb.debian.org/debian';
const SUITE = 'bookworm';
/** Extra packages on top of minbase; tini is left out because the Dockerfile installs it itself, as it must on the real base. */
const ROOTFS_PACKAGES = ['ca-certificates'];
/** The npm that Node 22's own images carry (10.x); the Dockerfile's build stage runs `npm ci` with it. */
const NPM_VERSION = '10.9.8';
/** The host's CA bundle: inside a sandbox whose egress re-signs TLS, npm in the build trusts only this. */
const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');

function contentTag(name: string, ...parts: (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return `switchyard-stand-in/${name}:${hash.digest('hex').slice(0, 16)}`;
}

function withTempDir<T>(prefix: string, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return work(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** Builds `dockerfile` (text) in a context holding `files` (name → source path). */
async function buildFromContext(tag: string, dockerfile: string, files: Record<string, string> = {}) {
  await withTempDir('switchyard-stand-in-', async (context) => {
    writeFileSync(path.join(context, 'Dockerfile'), dockerfile);
    for (const [name, source] of Object.entries(files))
      cpSync(source, path.join(context, name), { recursive: true });
    await docker(['build', '--tag', tag, context], { env: { DOCKER_BUILDKIT: '0' } });
  });
}

/** Debian bookworm minbase (+ ca-certificates) from debootstrap, imported as an image. */
async function ensureDebianRootfs(log: (line: string) => void): Promise<string> {
  const tag = contentTag('debian', SUITE, 'minbase', ...ROOTFS_PACKAGES);
  if (await imageExists(tag)) return tag;
  log(`debootstrap ${SUITE} minbase from ${DEBIAN_MIRROR} (about 30 s, once)`);
  await withTempDir('switchyard-rootfs-', async (rootfs) => {
    await run('debootstrap', [
      '--variant=minbase',
      `--include=${ROOTFS_PACKAGES.join(',')}`,
      SUITE,
      rootfs,
      DEBIAN_MIRROR,
    ]);
    // What a registry base image leaves out too: downloaded packages and package lists.
    await run('sh', [
      '-c',
      'rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*',
      'sh',
      rootfs,
    ]);
    await run('sh', [
      '-c',
      'tar -C "$1" -c . | "$2" import --change \'CMD ["bash"]\' - "$3"',
      'sh',
      rootfs,
      dockerBinary(),
      tag,
    ]);
  });
  return tag;
}

/** `node:22-bookworm-slim`, or a stand-in: Debian minbase + the `node` devDependency's binary + npm, uid 1000 `node`. */
export async function ensureNodeBaseImage(log: (line: string) => void): Promise<string> {
  if (await imageExists(OFFICIAL_NODE_IMAGE)) return OFFICIAL_NODE_IMAGE;
  const debian = await ensureDebianRootfs(log);
  const nodePackage = path.dirname(require.resolve('node/package.json', { paths: [repoRoot] }));
  const nodeVersion = (
    JSON.parse(readFileSync(path.join(nodePackage, 'package.json'), 'utf8')) as { version: string }
  ).version;
  const caBundle = readFileSync(HOST_CA_BUNDLE);
  const tag = contentTag('node', debian, nodeVersion, NPM_VERSION, caBundle);
  if (await imageExists(tag)) return tag;
  log(`building a stand-in for ${OFFICIAL_NODE_IMAGE}: ${debian} + Node ${nodeVersion} + npm ${NPM_VERSION}`);
  await withTempDir('switchyard-npm-', async (npmDir) => {
    await run('npm', ['pack', `npm@${NPM_VERSION}`, '--pack-destination', npmDir], { cwd: npmDir });
    await run('tar', ['-xzf', path.join(npmDir, `npm-${NPM_VERSION}.tgz`), '-C', npmDir]);
    await buildFromContext(
      tag,
      [
        `FROM ${debian}`,
        'COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt',
        'COPY node /usr/local/bin/node',
        'COPY npm /usr/local/lib/node_modules/npm',
        'RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\',
        ' && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\',
        ' && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node',
        // Node reads its own CA list, not the system's: point it at the bundle the sandbox's egress needs.
        'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt',
        'CMD ["node"]',
      ].join('\n'),
      {
        'ca-certificates.crt': HOST_CA_BUNDLE,
        node: path.join(nodePackage, 'bin', 'node'),
        npm: path.join(npmDir, 'package'),
      },
    );
  });
  return tag;
}

/** `redis:7.4.2-bookworm`, or a stand-in: Debian minbase + Debian's redis-server, run as `redis` in /data like the official image. */
export async function ensureRedisImage(log: (line: string) => void): Promise<string> {
  if (await imageExists(OFFICIAL_REDIS_IMAGE)) return OFFICIAL_REDIS_IMAGE;
  const debian = await ensureDebianRootfs(log);
  const tag = contentTag('redis', debian, 'redis-server');
  if (await imageExists(tag)) return tag;
  log(`building a stand-in for ${OFFICIAL_REDIS_IMAGE}: ${debian} + Debian's redis-server`);
  await buildFromContext(
    tag,
    [
      `FROM ${debian}`,
      'RUN apt-get update && apt-get install -y --no-install-recommends redis-server redis-tools \\',
      ' && rm -rf /var/lib/apt/lists/* && mkdir /data && chown redis:redis /data',
      'WORKDIR /data',
      'USER redis',
      'EXPOSE 6379',
      'CMD ["redis-server"]',
    ].join('\n'),
  );
  return tag;
}
