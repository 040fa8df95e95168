import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runHelm } from './support/helm-cli';
import { chartDir } from './support/repo-paths';

describe('chart values checks', () => {
  it('validateValues lists every cross-field mistake in one failure', async () => {
    const result = await runHelm([
      'template',
      'sy',
      chartDir,
      '--set',
      'image.tag=latest',
      '--set',
      'redis.enabled=false',
      '--set',
      'compute.autoscaling.hpa.enabled=true',
      '--set',
      'compute.autoscaling.keda.enabled=true',
      '--set',
      'ioConsumer.terminationGracePeriodSeconds=20',
      '--set',
      'jaeger.enabled=true',
      '--set',
      'telemetry.otlpEndpoint=http://collector:4318',
      '--set-json',
      'compute.pools=[{"name":"batch","lane":"batch"},{"name":"batch","lane":"other"}]',
    ]);
    assert.notEqual(result.status, 0, 'helm template accepted invalid values');
    const expected = [
      'image.tag: `latest`',
      'externalRedis.host: required when redis.enabled=false',
      'ioConsumer.terminationGracePeriodSeconds (20) must be at least config.drainTimeoutMs / 1000 + 5 = 30',
      'compute.autoscaling: hpa and keda are both enabled',
      'telemetry.otlpEndpoint is set and jaeger.enabled=true',
      'compute.pools[1].name: "batch" is used by another pool',
      'auth: the api refuses to start without API keys',
    ];
    for (const message of expected)
      assert.ok(result.stderr.includes(message), `"${message}" missing from:\n${result.stderr}`);
    assert.match(result.stderr, /switchyard: 9 invalid value\(s\)/);
  });

  it('the schema refuses an unknown key and names it', async () => {
    const result = await runHelm(['template', 'sy', chartDir, '--set', 'compute.poolsize=4']);
    assert.notEqual(result.status, 0, 'an unknown key was accepted');
    assert.match(result.stderr, /additional properties 'poolsize' not allowed/);
  });

  it('the schema refuses a bad execution model and a lane that is not a lane name', async () => {
    const result = await runHelm([
      'template',
      'sy',
      chartDir,
      '--set',
      'compute.executionModel=threads',
      '--set',
      'queue.cpuLane=CPU Lane',
    ]);
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /executionModel/);
    assert.match(result.stderr, /cpuLane/);
  });
});
