// `npm run test:api-fuzz` (after the build): Schemathesis (PyPI) fuzzes the live api from the OpenAPI document
// it serves, with every check on but the few test/api-fuzz/schemathesis.toml turns off, each with its reason.
// The stack is real: api, io-consumer and a worker-threads compute as processes, a private redis-server when
// nothing answers at REDIS_URL, AUTH=keys with one admin key (so the auth checks see 401/403 for bad keys).
// Schemathesis is installed once into .tools/schemathesis (a Python venv; Debian's python3-venv when missing).
//   npm run test:api-fuzz                      fixed seed: the same cases every run
//   SCHEMATHESIS_SEED=random npm run test:api-fuzz
//   SCHEMATHESIS_MAX_EXAMPLES=100 npm run test:api-fuzz
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';

const SCHEMATHESIS = 'schemathesis==4.32.5';
const SEED = process.env.SCHEMATHESIS_SEED ?? '20261129';
const MAX_EXAMPLES = process.env.SCHEMATHESIS_MAX_EXAMPLES ?? '25';

const require = createRequire(import.meta.url);
const { startLocalStack } = require('../dist/libs/local-stack/src/index.js');
const { createApiKey } = require('../dist/libs/auth/src/index.js');

const started = Date.now();
const log = (line) => console.log(`# [${((Date.now() - started) / 1000).toFixed(0)} s] ${line}`);

function ensureSchemathesis() {
  const venv = path.resolve('.tools', 'schemathesis');
  const st = path.join(venv, 'bin', 'st');
  if (existsSync(st)) return st;
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  try {
    execFileSync(python, ['-m', 'venv', venv], { stdio: 'inherit' });
  } catch {
    log('python3 -m venv failed: installing python3-venv');
    execFileSync('apt-get', ['install', '-y', '-q', 'python3-venv'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    execFileSync(python, ['-m', 'venv', '--clear', venv], { stdio: 'inherit' });
  }
  log(`installing ${SCHEMATHESIS} into ${venv}`);
  execFileSync(
    path.join(venv, 'bin', 'pip'),
    ['install', '-q', '--disable-pip-version-check', SCHEMATHESIS],
    {
      stdio: 'inherit',
    },
  );
  return st;
}

const st = ensureSchemathesis();
const admin = createApiKey('fuzz', ['admin']);
const stack = await startLocalStack({
  services: [
    { name: 'api', app: 'api' },
    { name: 'io-consumer', app: 'io-consumer' },
    { name: 'compute', app: 'compute', env: { EXECUTION_MODEL: 'worker-threads', POOL_SIZE: '2' } },
  ],
  env: { AUTH: 'keys', API_KEYS: admin.entry },
  logDir: path.resolve('reports', 'api-fuzz'),
});
log(`stack up: ${stack.apiUrl} (logs in reports/api-fuzz/)`);

let code;
try {
  const args = [
    '--config-file',
    path.resolve('test', 'api-fuzz', 'schemathesis.toml'),
    'run',
    `${stack.apiUrl}/docs-json`,
    '--url',
    stack.apiUrl,
    '--header',
    `Authorization: Bearer ${admin.key}`,
    '--max-examples',
    MAX_EXAMPLES,
    '--workers',
    '2',
    '--no-color',
  ];
  if (SEED !== 'random') args.push('--seed', SEED);
  code = await new Promise((resolve) => {
    const child = spawn(st, args, { stdio: 'inherit' });
    child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
  });
} finally {
  await stack.stop();
}
log(code === 0 ? 'schemathesis: no failures' : `schemathesis failed (exit ${code})`);
process.exit(code);
