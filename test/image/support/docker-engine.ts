import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { pollUntil } from '@switchyard/polling';
import { docker, run } from './docker-cli';

/** Where a dockerd started here writes its log. */
export const DOCKERD_LOG = '/var/log/switchyard-dockerd.log';

/** Debian's packages the image test uses, by the binary each provides. */
const DEBIAN_PACKAGES = [
  { binary: '/usr/sbin/dockerd', debianPackage: 'docker.io' },
  { binary: '/usr/bin/docker-compose', debianPackage: 'docker-compose' },
  { binary: '/usr/sbin/debootstrap', debianPackage: 'debootstrap' },
];

/** Installs docker.io, docker-compose (v1) and debootstrap from Debian when missing (needs root and apt). */
export async function ensureDebianPackages(log: (line: string) => void): Promise<void> {
  const missing = DEBIAN_PACKAGES.filter(({ binary }) => !existsSync(binary)).map(
    ({ debianPackage }) => debianPackage,
  );
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    throw new Error(
      `the image test needs ${missing.join(', ')}: sudo apt-get install -y ${missing.join(' ')}`,
    );
  }
  log(`installing ${missing.join(', ')} (Debian packages)`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update', '-qq'], { env });
  // With recommends, as tested: docker.io recommends what dockerd needs on some hosts (cgroupfs-mount, pigz…).
  await run('apt-get', ['install', '-y', '-qq', ...missing], { env });
}

async function daemonAnswers(): Promise<boolean> {
  return docker(['version', '--format', '{{.Server.Version}}']).then(
    () => true,
    () => false,
  );
}

/**
 * Starts dockerd in the background when no daemon answers (no systemd here), logging to DOCKERD_LOG, and
 * waits until it does. The daemon outlives the test on purpose: the next run reuses its image cache.
 */
export async function ensureDockerDaemon(log: (line: string) => void): Promise<void> {
  if (await daemonAnswers()) return;
  // Debian's containerd and runc come with docker.io; dockerd starts its own containerd.
  if (spawnSync('dockerd', ['--version']).status !== 0) throw new Error('dockerd is not installed');
  mkdirSync('/var/log', { recursive: true });
  log(`starting dockerd (log: ${DOCKERD_LOG})`);
  const out = openSync(DOCKERD_LOG, 'a');
  spawn('dockerd', [], { detached: true, stdio: ['ignore', out, out] }).unref();
  await pollUntil(daemonAnswers, {
    timeoutMs: 60_000,
    intervalMs: 500,
    what: `dockerd to answer (see ${DOCKERD_LOG})`,
  });
}
