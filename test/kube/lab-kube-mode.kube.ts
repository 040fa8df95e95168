/**
 * `switchyard lab --kube` (the real CLI, as a user runs it) against a REAL kube-apiserver + etcd with
 * the chart installed by Helm: the scale subresource round trip — patch, read back, restore the
 * original replicas — including after a Ctrl-C. No pod runs here (no kubelet, scheduler or
 * controller-manager): the jobs the lab measures run on a local stack of the real apps standing in for
 * the API Service, and where a full run needs ready replicas, DeploymentStatusWriter plays the
 * Deployment controller through the API (said where it is used). The fake-API version of these checks
 * is test/lab/kube-mode.test.ts. Run with `npm run test:kube`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LabResults } from '@switchyard/lab';
import { startLocalStack, type LocalStack } from '@switchyard/local-stack';
import { pollUntil } from '@switchyard/polling';
import { loadToolsScript } from '../deploy/support/deploy-scripts';
import { runHelm } from '../deploy/support/helm-cli';
import { chartDir, chartCiValuesDir, repoRoot } from '../deploy/support/repo-paths';
import { deletePrefix } from '../helpers/redis-cleanup';
import { DeploymentStatusWriter } from './support/deployment-status-writer';
import { kubeClusterUnavailable, startKubeCluster, type KubeCluster } from './support/kube-cluster';

const NAMESPACE = 'lab-kube';
/** The chart's consumer Deployments, in the order the lab measures them. */
const CONSUMERS = ['sy-switchyard-io-consumer', 'sy-switchyard-compute'];
/** Each consumer Deployment starts here, so every lab cell (1 and 2 replicas) and the restore are real changes. */
const ORIGINAL_REPLICAS = 3;

interface LabRun {
  code: number | null;
  output: string;
  /** results.json, which the lab writes even when interrupted. */
  results?: LabResults;
}

describe('switchyard lab --kube against a real kube-apiserver', () => {
  let unavailable: string | undefined;
  let cluster: KubeCluster;
  let stack: LocalStack;
  const prefix = `test-${randomUUID()}`;

  /** The scale subresource, read back from the server. */
  const scaleOf = (name: string) =>
    JSON.parse(
      cluster.kubectl(['get', '--raw', `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${name}/scale`]),
    ) as { spec: { replicas: number }; status: { replicas?: number } };

  /** Starts `switchyard lab --kube` in its own process group (as a terminal would), against this cluster. */
  function startLab(): { pid: number; done: Promise<LabRun> } {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'switchyard-lab-kube-')), 'report');
    const child = spawn(
      process.execPath,
      [
        // What `switchyard lab` runs (bin/switchyard.js is a spawnSync wrapper over it that a Ctrl-C to
        // the group ends at once, before the lab has restored anything: see the lead's notes).
        path.join(repoRoot, 'dist', 'apps', 'lab', 'src', 'main.js'),
        ...['--kube', '--namespace', NAMESPACE, '--api-url', stack.apiUrl],
        ...['--quick', '--only', 'horizontal', '--out', out],
      ],
      { env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath }, detached: true },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const done = new Promise<LabRun>((resolve) =>
      child.on('exit', (code) =>
        resolve({
          code,
          output,
          results: existsSync(path.join(out, 'results.json'))
            ? (JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as LabResults)
            : undefined,
        }),
      ),
    );
    return { pid: child.pid!, done };
  }

  function assertOriginalsRestored(): void {
    for (const name of CONSUMERS)
      assert.equal(
        scaleOf(name).spec.replicas,
        ORIGINAL_REPLICAS,
        `${name} is back to ${ORIGINAL_REPLICAS} replicas`,
      );
  }

  before(async () => {
    unavailable = await kubeClusterUnavailable();
    if (unavailable) {
      process.stdout.write(
        `\nreal kube-apiserver NOT available, the lab --kube tests are skipped:\n${unavailable}\n`,
      );
      return;
    }
    cluster = await startKubeCluster((await loadToolsScript()).toolPath('kubectl'));
    cluster.kubectl(['create', 'namespace', NAMESPACE]);
    const install = await runHelm([
      ...['install', 'sy', chartDir, '--namespace', NAMESPACE, '--kubeconfig', cluster.kubeconfigPath],
      ...['-f', path.join(chartCiValuesDir, 'default-values.yaml')],
    ]);
    assert.equal(install.status, 0, install.stderr);
    stack = await startLocalStack({
      prefix,
      services: [
        { name: 'api', app: 'api' },
        { name: 'io-consumer', app: 'io-consumer', env: { IO_CONCURRENCY: '10' } },
        { name: 'compute', app: 'compute', env: { EXECUTION_MODEL: 'worker-threads', POOL_SIZE: '2' } },
      ],
      env: { DIAGNOSTIC_TASKS: 'true', LOG_LEVEL: 'warn' },
    });
  });
  after(async () => {
    await stack?.stop();
    if (stack) await deletePrefix(stack.redisUrl, prefix);
    await cluster?.stop();
  });

  it('scales each consumer Deployment per cell through the scale subresource, then restores the originals', async (t) => {
    if (unavailable) return t.skip('no real kube-apiserver here (why: printed above)');
    for (const name of CONSUMERS)
      cluster.kubectl(['scale', `deployment/${name}`, `--replicas=${ORIGINAL_REPLICAS}`, '-n', NAMESPACE]);
    // No Deployment controller or kubelet here: this writer reports the replicas ready, through the API.
    const controller = new DeploymentStatusWriter(cluster.kubeconfigPath, NAMESPACE);
    controller.start();
    try {
      await pollUntil(() => controller.settled(), { timeoutMs: 10_000, what: 'the initial statuses' });
      controller.history.length = 0;
      const apiReplicas = scaleOf('sy-switchyard-api').spec.replicas;
      const { code, output, results } = await startLab().done;
      assert.equal(code, 0, output);
      assert.ok(results, output);
      assert.equal(results.partial, false, results.partialReason);
      assert.deepEqual(
        results.cells.map((cell) => [cell.id, cell.error]),
        CONSUMERS.flatMap((name) => [
          [`horizontal/${name}/r1`, undefined],
          [`horizontal/${name}/r2`, undefined],
        ]),
      );
      // The restore does not wait for readiness; let the writer see it before reading its history.
      await pollUntil(() => controller.settled(), { timeoutMs: 10_000, what: 'the restored statuses' });
      for (const cell of results.cells)
        assert.ok(cell.throughputPerSec.median > 0, `${cell.id} measured a throughput`);
      for (const name of CONSUMERS)
        assert.deepEqual(
          controller.history.filter((entry) => entry.name === name).map((entry) => entry.replicas),
          [1, 2, ORIGINAL_REPLICAS],
          `${name}: scaled to 1, to 2, then restored`,
        );
      assertOriginalsRestored();
      for (const name of CONSUMERS) assert.equal(scaleOf(name).status.replicas, ORIGINAL_REPLICAS);
      assert.equal(
        scaleOf('sy-switchyard-api').spec.replicas,
        apiReplicas,
        'the api Deployment is not touched',
      );
    } finally {
      await controller.stop();
    }
  });

  it('Ctrl-C while waiting for replicas that never become ready (no kubelet) restores the originals', async (t) => {
    if (unavailable) return t.skip('no real kube-apiserver here (why: printed above)');
    for (const name of CONSUMERS)
      cluster.kubectl(['scale', `deployment/${name}`, `--replicas=${ORIGINAL_REPLICAS}`, '-n', NAMESPACE]);
    const lab = startLab();
    const scaled = await pollUntil(
      () => CONSUMERS.find((name) => scaleOf(name).spec.replicas !== ORIGINAL_REPLICAS),
      { timeoutMs: 60_000, intervalMs: 200, what: 'the lab to scale a Deployment' },
    );
    process.kill(-lab.pid, 'SIGINT');
    const { code, output, results } = await lab.done;
    assert.equal(code, 130, output);
    assert.ok(results, output);
    assert.equal(results.partial, true);
    assert.match(results.partialReason ?? '', /interrupted/);
    assert.ok(results.skippedCells.length > 0, `the cells not run are listed (it had scaled ${scaled})`);
    assertOriginalsRestored();
  });
});
