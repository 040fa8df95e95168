/**
 * Kubernetes mode of the lab against a FAKE Kubernetes API (see fake-kube-api.ts), in `npm test` where
 * no kube-apiserver is built. The same round trip against a REAL kube-apiserver + etcd is
 * test/kube/lab-kube-mode.kube.ts (`npm run test:kube`). The Switchyard side is real where a test
 * submits jobs: a local stack of the real apps on a private key prefix, standing in for the API Service.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { exitCodeOf, KubeTarget, runLab, type KubeTargetOptions } from '@switchyard/lab';
import type { LocalStack } from '@switchyard/local-stack';
import { startLabTestStack } from './lab-test-stack';
import { startFakeKubeApi, type FakeDeployment } from './fake-kube-api';
import { RecordingProgress } from './silent-progress';

const NAMESPACE = 'lab-test';

const DEPLOYMENTS: FakeDeployment[] = [
  { name: 'sy-io-consumer', component: 'io-consumer', replicas: 3, env: { IO_CONCURRENCY: '10' } },
  {
    name: 'sy-compute',
    component: 'compute',
    replicas: 2,
    env: { EXECUTION_MODEL: 'worker-threads', POOL_SIZE: '2' },
  },
  {
    name: 'sy-compute-processes',
    component: 'compute',
    replicas: 1,
    env: { EXECUTION_MODEL: 'processes', POOL_SIZE: '1' },
  },
];

function originalsRestored(replicasOf: (name: string) => number): void {
  for (const deployment of DEPLOYMENTS) {
    assert.equal(
      replicasOf(deployment.name),
      deployment.replicas,
      `${deployment.name} is back to ${deployment.replicas} replicas`,
    );
  }
}

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('lab --kube against the FAKE Kubernetes API (test/kube has the real one)', () => {
  let stack: LocalStack;
  let stopStack: (() => Promise<void>) | undefined;

  before(async () => {
    ({ stack, stop: stopStack } = await startLabTestStack(10, { DIAGNOSTIC_TASKS: 'true' }));
  });

  after(() => stopStack?.());

  /** A quick kube-mode target on the fake API, without pod stats (the pods are not reachable here). */
  const kubeTarget = (kubeconfigPath: string, options: Partial<KubeTargetOptions>) =>
    new KubeTarget({
      namespace: NAMESPACE,
      apiUrl: stack.apiUrl,
      kubeconfigPath,
      quick: true,
      readPodStats: false,
      ...options,
    });

  test('scales each consumer Deployment per cell through the scale subresource, then restores the originals', async () => {
    const fake = await startFakeKubeApi(NAMESPACE, DEPLOYMENTS);
    try {
      const target = kubeTarget(fake.kubeconfigPath, {
        only: ['horizontal'],
        scaler: { pollIntervalMs: 10 },
      });
      const results = await runLab({
        target,
        options: { quick: true, repeat: 1 },
        progress: new RecordingProgress(),
        signal: new AbortController().signal,
      });
      assert.equal(results.partial, false, results.partialReason);
      assert.deepEqual(
        results.cells.map((cell) => [cell.id, cell.error]),
        [
          ['horizontal/sy-io-consumer/r1', undefined],
          ['horizontal/sy-io-consumer/r2', undefined],
          ['horizontal/sy-compute/r1', undefined],
          ['horizontal/sy-compute/r2', undefined],
          ['horizontal/sy-compute-processes/r1', undefined],
          ['horizontal/sy-compute-processes/r2', undefined],
        ],
      );
      for (const cell of results.cells)
        assert.ok(cell.throughputPerSec.median > 0, `${cell.id} measured a throughput`);
      assert.deepEqual(fake.patches, [
        { name: 'sy-io-consumer', replicas: 1 },
        { name: 'sy-io-consumer', replicas: 2 },
        // A compute cell parks the other compute Deployment, which shares the cpu lane.
        { name: 'sy-compute-processes', replicas: 0 },
        { name: 'sy-compute', replicas: 1 },
        { name: 'sy-compute-processes', replicas: 0 },
        { name: 'sy-compute', replicas: 2 },
        { name: 'sy-compute', replicas: 0 },
        { name: 'sy-compute-processes', replicas: 1 },
        { name: 'sy-compute', replicas: 0 },
        { name: 'sy-compute-processes', replicas: 2 },
        // Restored at the end, in the order first touched.
        { name: 'sy-io-consumer', replicas: 3 },
        { name: 'sy-compute-processes', replicas: 1 },
        { name: 'sy-compute', replicas: 2 },
      ]);
      originalsRestored(fake.replicasOf);
      assert.equal(results.machine.target, 'kubernetes');
      assert.equal(results.machine.namespace, NAMESPACE);
    } finally {
      await fake.close();
    }
  });

  test('skips the redis experiment (it starts its own Redis servers), and says so', async () => {
    const fake = await startFakeKubeApi(NAMESPACE, DEPLOYMENTS);
    try {
      const target = kubeTarget(fake.kubeconfigPath, { only: ['redis'] });
      assert.deepEqual(await target.plan(), []);
      assert.match(target.notes.join('\n'), /redis experiment .* was skipped/);
      assert.deepEqual(fake.patches, [], 'nothing was scaled');
    } finally {
      await fake.close();
    }
  });

  test('restores the original replica counts when the run fails midway (the API Service is down)', async () => {
    const fake = await startFakeKubeApi(NAMESPACE, DEPLOYMENTS);
    try {
      const results = await runLab({
        target: kubeTarget(fake.kubeconfigPath, {
          apiUrl: await closedPortUrl(),
          only: ['horizontal'],
          scaler: { pollIntervalMs: 10 },
        }),
        options: { quick: true, repeat: 1 },
        progress: new RecordingProgress(),
        signal: new AbortController().signal,
      });
      assert.ok(results.cells.length > 0);
      for (const cell of results.cells) assert.match(cell.error ?? '', /cannot reach the Switchyard API/);
      assert.ok(
        fake.patches.some(
          (patch) => patch.replicas !== DEPLOYMENTS.find((d) => d.name === patch.name)?.replicas,
        ),
        'it did scale',
      );
      originalsRestored(fake.replicasOf);
      assert.equal(exitCodeOf(results, false), 1);
    } finally {
      await fake.close();
    }
  });

  test('Ctrl-C while waiting for ready replicas stops the run, restores the originals and marks the results partial', async () => {
    const stuck = DEPLOYMENTS.map((deployment) => ({ ...deployment, neverReady: true }));
    const fake = await startFakeKubeApi(NAMESPACE, stuck);
    try {
      const controller = new AbortController();
      const interrupt = setInterval(() => {
        if (fake.patches.length > 0) controller.abort(new Error('interrupted by SIGINT'));
      }, 20);
      const results = await runLab({
        target: kubeTarget(fake.kubeconfigPath, { scaler: { pollIntervalMs: 10 } }),
        options: { quick: true, repeat: 1 },
        progress: new RecordingProgress(),
        signal: controller.signal,
      });
      clearInterval(interrupt);
      assert.equal(results.partial, true);
      assert.match(results.partialReason ?? '', /interrupted/);
      assert.ok(results.skippedCells.length > 0, 'the cells not run are listed');
      originalsRestored(fake.replicasOf);
      assert.equal(exitCodeOf(results, true), 130);
    } finally {
      await fake.close();
    }
  });

  test('a namespace without Switchyard Deployments ends the run with a message that names the namespace', async () => {
    const fake = await startFakeKubeApi(NAMESPACE, []);
    try {
      const results = await runLab({
        target: kubeTarget(fake.kubeconfigPath, {}),
        options: { quick: true, repeat: 1 },
        progress: new RecordingProgress(),
        signal: new AbortController().signal,
      });
      assert.equal(results.partial, true);
      assert.match(
        results.partialReason ?? '',
        /no Switchyard consumer Deployments .* namespace "lab-test".*--namespace/,
      );
      assert.deepEqual(fake.patches, []);
    } finally {
      await fake.close();
    }
  });
});
