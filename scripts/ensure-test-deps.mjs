// Run before `npm test`: installs the machine packages the tests use when they are missing, so a fresh
// machine needs nothing but `npm ci && npm test`. Debian's packages, as root; otherwise it says what to do.
//   chromium      the headless browser the lab report test opens report.html in
//   redis-server  started by the tests themselves when nothing answers at REDIS_URL
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import process from 'node:process';

const NEEDED = [
  { binary: '/usr/bin/chromium', debianPackage: 'chromium' },
  { binary: '/usr/bin/redis-server', debianPackage: 'redis-server' },
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
  const install = spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'inherit', env });
  if (install.status !== 0) process.exit(install.status ?? 1);
}
