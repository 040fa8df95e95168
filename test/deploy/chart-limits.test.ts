import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { after, describe, it } from 'node:test';
import { loadConfig, type SwitchyardConfig } from '@switchyard/config';
import { ciValuesFiles } from './support/ci-values';
import { renderChart } from './support/helm-cli';
import { podOwners } from './support/kube-object';
import { containerEnv, withRedisPasswordFile, workload } from './support/rendered-env';

/** Settings only the api reads: in its own env, so changing one restarts the api alone. */
const API_ONLY = [
  'RATE_LIMIT',
  'TENANT_MAX_PENDING_JOBS',
  'LANE_MAX_DEPTH',
  'JOB_DELAY_MAX_MS',
  'JOB_PAYLOAD_MAX_BYTES',
  'HTTP_REQUEST_TIMEOUT_MS',
  'CORS_ORIGINS',
  'ALLOW_PROFILE_OVERRIDE',
] as const;
/** Settings the consumers read too (a failed job's error, io.http's egress rules), with the retention. */
const SHARED = [
  'JOB_ERROR_MAX_CHARS',
  'HTTP_ALLOWED_HOSTS',
  'HTTP_ALLOWED_CIDRS',
  'HTTP_REDACT_HEADERS',
  'COMPLETED_RETENTION_COUNT',
  'FAILED_RETENTION_COUNT',
] as const;
const CONSUMERS = ['sy-switchyard-io-consumer', 'sy-switchyard-compute'];
/** What the kubelet would fill in from elsewhere (downward API, Secrets). */
const FROM_ELSEWHERE = { POD_NAME: 'pod-0', POD_NAMESPACE: 'ns' };
/** The Redis password Secrets the ci values name instead of letting the chart make one. */
const EXISTING_SECRETS = { 'managed-redis': { password: 'pw' }, 'my-redis-secret': { password: 'pw' } };
const secretFiles = mkdtempSync(path.join(os.tmpdir(), 'chart-limits-'));
after(() => rmSync(secretFiles, { recursive: true, force: true }));

// The settings under test; REDIS_PASSWORD_FILE (a mounted file) is checked per ci file below.
const configOf = (env: Record<string, string>): SwitchyardConfig =>
  loadConfig({ ...env, REDIS_PASSWORD_FILE: '' });
const pick = (config: SwitchyardConfig, keys: readonly (keyof SwitchyardConfig)[]) =>
  Object.fromEntries(keys.map((key) => [key, config[key]]));

describe('chart: limits and hardening settings', () => {
  it("has the apps' own defaults, and gives the api-only ones to the api alone", async () => {
    const objects = await renderChart(['--set', 'auth.existingSecret=keys']);
    const api = containerEnv(objects, workload(objects, 'sy-switchyard-api').container, FROM_ELSEWHERE);
    for (const key of [...API_ONLY, ...SHARED]) assert.ok(key in api, `the api has no ${key}`);
    const defaults = loadConfig({});
    assert.deepEqual(pick(configOf(api), [...API_ONLY, ...SHARED]), pick(defaults, [...API_ONLY, ...SHARED]));
    for (const name of CONSUMERS) {
      const env = containerEnv(objects, workload(objects, name).container, FROM_ELSEWHERE);
      for (const key of SHARED) assert.ok(key in env, `${name} has no ${key}`);
      for (const key of API_ONLY) assert.equal(env[key], undefined, `${name} gets the api's ${key}`);
    }
  });

  it('passes changed values through as the apps read them (integers stay integers under Helm 4)', async () => {
    const file = ciValuesFiles().find((candidate) => path.basename(candidate) === 'hpa-pools-values.yaml');
    assert.ok(file);
    const objects = await renderChart(['-f', file]);
    const api = containerEnv(objects, workload(objects, 'sy-switchyard-api').container, FROM_ELSEWHERE);
    assert.equal(api.JOB_DELAY_MAX_MS, '86400000');
    assert.deepEqual(pick(configOf(api), [...API_ONLY, ...SHARED]), {
      RATE_LIMIT: '600/60',
      TENANT_MAX_PENDING_JOBS: 2000,
      LANE_MAX_DEPTH: 50000,
      JOB_DELAY_MAX_MS: 86_400_000,
      JOB_PAYLOAD_MAX_BYTES: 65536,
      HTTP_REQUEST_TIMEOUT_MS: 20000,
      CORS_ORIGINS: ['https://console.example.com'],
      ALLOW_PROFILE_OVERRIDE: false,
      JOB_ERROR_MAX_CHARS: 4096,
      HTTP_ALLOWED_HOSTS: [
        { host: 'api.example.com', port: undefined },
        { host: 'example.org', port: 8443 },
      ],
      HTTP_ALLOWED_CIDRS: [{ address: '10.20.0.0', prefix: 16, family: 'ipv4' }],
      HTTP_REDACT_HEADERS: ['x-tenant-token'],
      COMPLETED_RETENTION_COUNT: 20000,
      FAILED_RETENTION_COUNT: 1000,
    });
    const consumer = containerEnv(objects, workload(objects, 'sy-switchyard-io-consumer').container);
    assert.equal(consumer.HTTP_ALLOWED_CIDRS, '10.20.0.0/16');
    assert.equal(consumer.JOB_ERROR_MAX_CHARS, '4096');
  });

  for (const valuesFile of ciValuesFiles()) {
    it(`${path.basename(valuesFile)}: every container's settings pass the apps' own configuration check`, async () => {
      const objects = await renderChart(['-f', valuesFile]);
      for (const owner of podOwners(objects)) {
        const container = owner.podSpec.containers[0];
        if (!container.envFrom?.length) continue; // Redis, Jaeger, the helm test Pod: not Switchyard apps
        const env = withRedisPasswordFile(
          objects,
          owner.podSpec,
          container,
          containerEnv(objects, container, FROM_ELSEWHERE),
          secretFiles,
          EXISTING_SECRETS,
        );
        assert.doesNotThrow(() => loadConfig(env), `${owner.object.kind}/${owner.object.metadata.name}`);
      }
    });
  }
});
