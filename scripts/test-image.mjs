// `npm run test:image` (after the build): builds the image with the real docker/Dockerfile and runs it.
// First it readies the machine: Debian's docker.io, docker-compose (v1) and debootstrap when missing, a
// dockerd when none answers, and the base images (node:22-bookworm-slim and redis:7.4.2-bookworm, or
// stand-ins made locally when they cannot be pulled). Then node's test runner runs dist/test/image/.
//   npm run test:image
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import process from 'node:process';

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

const runner = spawn(
  process.execPath,
  ['--test', '--test-concurrency=1', '--test-force-exit', 'dist/test/image/*.image.js'],
  { stdio: 'inherit', env: { ...process.env, NODE_IMAGE: nodeImage, REDIS_IMAGE: redisImage } },
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
