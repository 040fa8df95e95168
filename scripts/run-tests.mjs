// `npm test` after the build: makes sure a Redis answers at REDIS_URL (starting a private redis-server on a
// free port when nothing does, and stopping it afterwards), then runs node's test runner over the given globs.
//   node scripts/run-tests.mjs "dist/test/**/*.test.js" [more globs or node --test flags]
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import process from 'node:process';

const require = createRequire(import.meta.url);
const { ensureRedis } = require('../dist/libs/local-stack/src/private-redis.js');

const wanted = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = await ensureRedis(wanted);
if (redis.started)
  console.log(`# nothing answered at ${wanted}: started a private redis-server at ${redis.url}`);

const args = process.argv.slice(2);
// --test-force-exit: a test file whose handles outlive its tests (a forgotten connection) must not hang
// CI; the tests have all reported by then.
const runner = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-force-exit', ...args], {
  stdio: 'inherit',
  env: { ...process.env, REDIS_URL: redis.url },
});
const stop = (signal) => runner.kill(signal);
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
const code = await new Promise((resolve) =>
  runner.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0))),
);
await redis.stop();
process.exit(code);
