// Run before `npm test`: installs the machine packages the tests use when they are missing, so a fresh
// machine needs nothing but `npm ci && npm test`. Debian's packages, as root; otherwise it says what to do.
//   chromium      the headless browser the lab report test opens report.html in
//   redis-server  started by the tests themselves when nothing answers at REDIS_URL
//   redis-tools   its redis-cli forms the private 3-master Redis Cluster of the cluster tests
//                 (`redis-cli --cluster create`); redis-server depends on it, named here all the same
//   prometheus    for its promtool: `promtool check metrics` lints every service's /metrics (the
//                 package's own server is not started by the tests)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import process from 'node:process';

const NEEDED = [
  { binary: '/usr/bin/chromium', debianPackage: 'chromium' },
  { binary: '/usr/bin/redis-server', debianPackage: 'redis-server' },
  { binary: '/usr/bin/redis-cli', debianPackage: 'redis-tools' },
  // Without its recommends (node-exporter, a daemon the tests do not want).
  { binary: '/usr/bin/promtool', debianPackage: 'prometheus', withoutRecommends: true },
];

const missing = NEEDED.filter(({ binary }) => !existsSync(binary));
if (missing.length > 0) {
  const packages = missing.map(({ debianPackage }) => debianPackage);
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    console.error(
      `The tests need ${packages.join(', ')}: install with \`sudo apt-get install -y ${packages.join(' ')}\`.`,
    );
    process.exit(1);
  }
  console.log(`Installing ${packages.join(', ')} for the tests (Debian packages)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  for (const lean of [false, true]) {
    const batch = missing.filter((entry) => Boolean(entry.withoutRecommends) === lean);
    if (batch.length === 0) continue;
    const args = ['install', '-y', '-qq', ...(lean ? ['--no-install-recommends'] : [])];
    const names = batch.map(({ debianPackage }) => debianPackage);
    const install = spawnSync('apt-get', [...args, ...names], { stdio: 'inherit', env });
    if (install.status !== 0) process.exit(install.status ?? 1);
  }
}
