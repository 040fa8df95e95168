// `npm run test:image` (after the build): builds the image with the real docker/Dockerfile and runs it.
// First it readies the machine: Debian's docker.io, docker-compose (v1) and debootstrap when missing, Compose
// v2 built from the Go module proxy when `docker compose` is missing, a
// dockerd when none answers, and the base images (node:22-bookworm-slim and redis:7.4.2-bookworm, or
// stand-ins made locally when they cannot be pulled). Then node's test runner runs dist/test/image/.
//   npm run test:image
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';
import { promisify } from 'node:util';

const require = createRequire(import.meta.url);
const { ensureDebianPackages, ensureDockerDaemon } = require('../dist/test/image/support/docker-engine.js');
const { ensureNodeBaseImage, ensureRedisImage } = require('../dist/test/image/support/stand-in-images.js');
const { docker } = require('../dist/test/image/support/docker-cli.js');

const started = Date.now();
const log = (line) => console.log(`# [${((Date.now() - started) / 1000).toFixed(0)} s] ${line}`);

await ensureDebianPackages(log);
await ensureDockerDaemon(log);
const nodeImage = await ensureNodeBaseImage(log);
log(`NODE_IMAGE=${nodeImage}`);
const redisImage = await ensureRedisImage(log);
log(`REDIS_IMAGE=${redisImage}`);

// Compose v2: Debian ships only v1. When `docker compose` is missing, build the v2 CLI from the Go module
// proxy (as scripts/test-infra.mjs does for Jaeger) into .tools/, so both versions are tested here too.
const COMPOSE_V2 = 'v2.29.7';
const run = promisify(execFile);
async function ensureComposeV2() {
  const works = (file, args) =>
    run(file, args).then(
      () => true,
      () => false,
    );
  if (await works('docker', ['compose', 'version'])) return undefined;
  const dir = path.resolve('.tools', `compose-${COMPOSE_V2}`);
  const binary = path.join(dir, 'docker-compose');
  if (existsSync(binary)) return binary;
  const go = existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go';
  const begun = Date.now();
  mkdirSync(dir, { recursive: true });
  try {
    await run(go, ['install', `github.com/docker/compose/v2/cmd@${COMPOSE_V2}`], {
      env: { ...process.env, GOBIN: dir, CGO_ENABLED: '0' },
      timeout: 15 * 60_000,
      maxBuffer: 16 << 20,
    });
    renameSync(path.join(dir, 'cmd'), binary);
    log(
      `built Compose ${COMPOSE_V2} from the Go module proxy in ${((Date.now() - begun) / 1000).toFixed(0)} s`,
    );
    return binary;
  } catch (error) {
    log(`Compose v2 could not be built (${error.message.split('\n')[0]}); its test is skipped`);
    return undefined;
  }
}
const composeV2 = await ensureComposeV2();
if (composeV2) log(`COMPOSE_V2_BINARY=${composeV2}`);

const runner = spawn(
  process.execPath,
  ['--test', '--test-concurrency=1', '--test-force-exit', 'dist/test/image/*.image.js'],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      NODE_IMAGE: nodeImage,
      REDIS_IMAGE: redisImage,
      ...(composeV2 ? { COMPOSE_V2_BINARY: composeV2 } : {}),
    },
  },
);
const stop = (signal) => runner.kill(signal);
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
const code = await new Promise((resolve) =>
  runner.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0))),
);
// Each build of changed sources re-tags switchyard:image-test-*; the images it replaced are dead weight.
await docker(['image', 'prune', '--force', '--filter', 'label=org.opencontainers.image.title=switchyard']);
log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(code);
