import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { createApiKey, loadApiKeys } from '@switchyard/auth';
import { loadConfig } from '@switchyard/config';
import { composeFile } from './support/repo-paths';

interface ComposeService {
  image?: string;
  build?: { dockerfile: string };
  command?: string[];
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
  stop_grace_period?: string;
}

// No Docker engine runs here: these checks read the file as `docker compose` would, not a live stack.
const compose = parse(readFileSync(composeFile, 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const { services } = compose;
const apps = ['api', 'io-consumer', 'compute'];

/** `${VAR:-default}` as Compose fills it in from the environment or docker/.env (the only form used here). */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(
    /\$\{([A-Z_]+):-([^}]*)\}/g,
    (_whole, name: string, fallback: string) => env[name] || fallback,
  );
}

function apiEnvWith(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(services.api.environment ?? {}).map(([key, value]) => [key, interpolate(value, env)]),
  );
}

describe('docker/compose.yaml', () => {
  it('runs Redis, Jaeger v2 and the three apps from one image', () => {
    assert.deepEqual(Object.keys(services).sort(), ['api', 'compute', 'io-consumer', 'jaeger', 'redis']);
    assert.match(services.jaeger.image ?? '', /^jaegertracing\/jaeger:2\.\d+\.\d+$/);
    const images = new Set(apps.map((app) => services[app].image));
    assert.equal(images.size, 1, `apps use several images: ${[...images].join(', ')}`);
    assert.deepEqual(
      apps.map((app) => services[app].command?.[0]),
      ['dist/apps/api/src/main.js', 'dist/apps/io-consumer/src/main.js', 'dist/apps/compute/src/main.js'],
    );
  });

  it('starts Redis with AOF, noeviction and a password', () => {
    const command = (services.redis.command ?? []).join(' ');
    assert.match(command, /--appendonly yes/);
    assert.match(command, /--maxmemory-policy noeviction/);
    assert.match(command, /--requirepass \S+/);
    assert.ok(services.redis.healthcheck, 'Redis has no healthcheck');
  });

  it('gives each app a healthcheck and waits for a healthy Redis', () => {
    for (const app of apps) {
      assert.ok(
        services[app].healthcheck?.test.join(' ').includes('/readyz'),
        `${app} has no /readyz healthcheck`,
      );
      assert.equal(
        services[app].depends_on?.redis?.condition,
        'service_healthy',
        `${app} does not wait for Redis`,
      );
      assert.match(services[app].environment?.REDIS_URL ?? '', /^redis:\/\/:.+@redis:6379$/);
      assert.equal(services[app].environment?.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://jaeger:4318');
    }
  });

  it('publishes the API on 3000 and Jaeger on 16686, and no host port for compute (so --scale compute=3 works)', () => {
    assert.ok(services.api.ports?.includes('127.0.0.1:3000:3000'));
    assert.ok(services.jaeger.ports?.includes('127.0.0.1:16686:16686'));
    assert.equal(services.compute.ports, undefined);
  });

  it('binds every published port to loopback, since the api runs without keys unless given some', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? [])
        assert.match(port, /^127\.0\.0\.1:/, `${name} publishes ${port}`);
    }
  });

  it('runs the api with AUTH=none by default, and with the keys of docker/.env when it sets them', () => {
    assert.equal(loadConfig(apiEnvWith({})).AUTH, 'none');
    const { entry } = createApiKey('laptop', ['jobs:write', 'jobs:read']);
    const withKeys = loadConfig(apiEnvWith({ SWITCHYARD_AUTH: 'keys', API_KEYS: entry }));
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
