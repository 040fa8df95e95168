import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { createApiKey, loadApiKeys } from '@switchyard/auth';
import { loadConfig } from '@switchyard/config';
import { composeFile, repoRoot } from './support/repo-paths';

interface ComposeService {
  image?: string;
  build?: { dockerfile: string };
  command?: string[];
  env_file?: string;
  ports?: string[];
  profiles?: string[];
  user?: string;
  read_only?: boolean;
  cap_drop?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  stop_grace_period?: string;
}

// Static checks of the file, run by `npm test`; `npm run test:image` brings the stack up with Compose v1
// (and v2 where installed), runs jobs and takes it down (test/image/compose.image.ts).
const text = readFileSync(composeFile, 'utf8');
const compose = parse(text, { merge: true }) as Record<string, unknown> & {
  services: Record<string, ComposeService>;
};
const { services } = compose;
const apps = ['api', 'io-consumer', 'compute'];
const envExample = path.join(repoRoot, 'docker', 'switchyard.env.example');

/** `${VAR:-default}` as Compose fills it in from the shell's environment (the only form used here). */
function interpolate(value: string, env: Record<string, string> = {}): string {
  return value.replace(
    /\$\{([A-Z_]+):-([^}]*)\}/g,
    (_whole, name: string, fallback: string) => env[name] || fallback,
  );
}

/** KEY=value lines of an env file, as Compose reads `env_file`. */
function readEnvFile(file: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/** The api's environment: its env file, then `environment:` over it (Compose's precedence). */
function apiEnvWith(envFile: Record<string, string>): Record<string, string> {
  return { ...envFile, ...(services.api.environment ?? {}) };
}

describe('docker/compose.yaml', () => {
  it('runs Redis and the three apps from one image, Jaeger v2 behind the `tracing` profile', () => {
    assert.deepEqual(Object.keys(services).sort(), ['api', 'compute', 'io-consumer', 'jaeger', 'redis']);
    assert.match(services.jaeger.image ?? '', /^jaegertracing\/jaeger:2\.\d+\.\d+$/);
    assert.deepEqual(services.jaeger.profiles, ['tracing']);
    for (const app of apps)
      assert.equal(services[app].depends_on?.jaeger, undefined, `${app} needs Jaeger, which may be off`);
    const images = new Set(apps.map((app) => services[app].image));
    assert.equal(images.size, 1, `apps use several images: ${[...images].join(', ')}`);
    assert.equal(interpolate([...images][0] ?? ''), 'switchyard:0.1.0');
    assert.deepEqual(
      apps.map((app) => services[app].command?.[0]),
      ['dist/apps/api/src/main.js', 'dist/apps/io-consumer/src/main.js', 'dist/apps/compute/src/main.js'],
    );
  });

  it('is Compose v1 compatible: no top-level `name:` (v1 rejects it), only keys v1 knows', () => {
    assert.deepEqual(
      Object.keys(compose).filter((key) => !key.startsWith('x-')),
      ['services', 'volumes'],
    );
  });

  it('starts Redis with AOF and noeviction, its password read from the env file into a config file', () => {
    const command = (services.redis.command ?? []).join(' ');
    assert.match(command, /--appendonly yes/);
    assert.match(command, /--maxmemory-policy noeviction/);
    assert.match(command, /requirepass "%s".*\$\$REDIS_PASSWORD.*> \/tmp\/redis\.conf/s);
    assert.match(command, /exec redis-server \/tmp\/redis\.conf/);
    assert.doesNotMatch(command, /--requirepass/, 'the password would be in argv');
    assert.match(command, /\[ -n "\$\$REDIS_PASSWORD" \] \|\|/, 'Redis starts without a password');
    assert.equal(services.redis.env_file, '${SWITCHYARD_ENV_FILE:-switchyard.env}');
    assert.ok(
      services.redis.healthcheck?.test.join(' ').includes('REDISCLI_AUTH'),
      'healthcheck has no auth',
    );
  });

  it('passes no secret on a command line or in the file: the env file holds them', () => {
    assert.doesNotMatch(
      text,
      /PASSWORD:-|redis:\/\/:[^@]*@/,
      'a password or a fallback is written in the file',
    );
    for (const app of apps) {
      assert.equal(services[app].env_file, '${SWITCHYARD_ENV_FILE:-switchyard.env}');
      assert.equal(services[app].environment?.REDIS_URL, undefined, `${app} sets REDIS_URL itself`);
    }
    const example = readEnvFile(envExample);
    assert.equal(example.REDIS_PASSWORD, '', 'the example ships a password people would keep');
    assert.match(example.REDIS_URL ?? '', /^redis:\/\/:.+@redis:6379$/);
    assert.match(readFileSync(path.join(repoRoot, 'docker', '.gitignore'), 'utf8'), /^switchyard\.env$/m);
  });

  it('runs every app read-only as uid 1000 with all capabilities dropped, waiting for a healthy Redis', () => {
    for (const app of apps) {
      const service = services[app];
      assert.equal(service.read_only, true, `${app} root is writable`);
      assert.equal(service.user, '1000:1000');
      assert.deepEqual(service.cap_drop, ['ALL']);
      assert.ok(service.healthcheck?.test.join(' ').includes('/readyz'), `${app} has no /readyz healthcheck`);
      assert.equal(service.depends_on?.redis?.condition, 'service_healthy', `${app} does not wait for Redis`);
    }
  });

  it('publishes the API on 127.0.0.1:3000 and Jaeger on 127.0.0.1:16686 by default, no host port for compute', () => {
    assert.ok(services.api.ports?.map((port) => interpolate(port)).includes('127.0.0.1:3000:3000'));
    assert.ok(services.jaeger.ports?.map((port) => interpolate(port)).includes('127.0.0.1:16686:16686'));
    assert.equal(services.compute.ports, undefined);
  });

  it('binds every published port to loopback unless SWITCHYARD_BIND says otherwise', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? [])
        assert.match(interpolate(port), /^127\.0\.0\.1:/, `${name} publishes ${port}`);
    }
  });

  it('runs the api with AUTH=none from the example env file, and with keys when the env file sets them', () => {
    const example = readEnvFile(envExample);
    assert.equal(loadConfig(apiEnvWith(example)).AUTH, 'none');
    const { entry } = createApiKey('laptop', ['jobs:write', 'jobs:read']);
    const withKeys = loadConfig(apiEnvWith({ ...example, AUTH: 'keys', API_KEYS: entry }));
    assert.equal(withKeys.AUTH, 'keys');
    assert.equal(loadApiKeys(withKeys).size, 1);
  });

  it('lets the consumers drain longer than DRAIN_TIMEOUT_MS before the kill', () => {
    for (const app of ['io-consumer', 'compute']) {
      const graceSeconds = Number.parseInt(services[app].stop_grace_period ?? '10s', 10);
      assert.ok(
        graceSeconds * 1000 > Number(services[app].environment?.DRAIN_TIMEOUT_MS),
        `${app} grace too short`,
      );
    }
  });
});
