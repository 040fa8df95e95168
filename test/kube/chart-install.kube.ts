/**
 * The chart, applied to a REAL kube-apiserver + etcd (built from the Go module proxy by
 * scripts/test-infra.mjs): for every helm/switchyard/ci/*-values.yaml, each rendered object passes the
 * server's strict field validation, defaulting and admission (server-side dry-run), then `helm install`
 * creates them for real and every object is read back. No pod runs (no kubelet, scheduler or
 * controller-manager): what is tested is the API contract. Run with `npm run test:kube`.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { ciValuesFiles } from '../deploy/support/ci-values';
import { loadToolsScript } from '../deploy/support/deploy-scripts';
import { runHelm } from '../deploy/support/helm-cli';
import type { KubeObject } from '../deploy/support/kube-object';
import { chartDir, repoRoot } from '../deploy/support/repo-paths';
import { kubeClusterUnavailable, startKubeCluster, type KubeCluster } from './support/kube-cluster';

const RELEASE = 'sy';
/** CRDs of the optional kinds the chart renders (KEDA, prometheus-operator), copied from their projects. */
const CRD_FIXTURES = path.join(repoRoot, 'test', 'kube', 'fixtures');

describe('the chart on a real kube-apiserver', () => {
  /** Why the real server cannot run here (its build failed or never ran); the tests then skip saying so. */
  let unavailable: string | undefined;
  let cluster: KubeCluster;
  before(async () => {
    unavailable = await kubeClusterUnavailable();
    if (unavailable) {
      process.stdout.write(
        `\nreal kube-apiserver NOT available, the chart tests are skipped:\n${unavailable}\n`,
      );
      return;
    }
    const tools = await loadToolsScript();
    cluster = await startKubeCluster(tools.toolPath('kubectl'));
    cluster.kubectl(['apply', '--server-side', '-f', CRD_FIXTURES]);
    cluster.kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);
    process.stdout.write(
      `\nreal kube-apiserver ${cluster.version} at ${cluster.server} (no kubelet: no pod runs)\n`,
    );
  });
  after(async () => {
    await cluster?.stop();
  });

  /** Whether the server serves an object's apiVersion and kind (built in, or a CRD installed above). */
  const served = new Map<string, Set<string>>();
  function isServed(object: KubeObject): boolean {
    if (!served.has(object.apiVersion)) {
      const discovery = object.apiVersion.includes('/')
        ? `/apis/${object.apiVersion}`
        : `/api/${object.apiVersion}`;
      let kinds = new Set<string>();
      try {
        const { resources } = JSON.parse(cluster.kubectl(['get', '--raw', discovery])) as {
          resources: { kind: string }[];
        };
        kinds = new Set(resources.map((resource) => resource.kind));
      } catch {
        // a group/version the server does not serve at all (its CRDs not installed)
      }
      served.set(object.apiVersion, kinds);
    }
    return served.get(object.apiVersion)!.has(object.kind);
  }

  it('the strict server-side dry-run refuses a misspelled field (so the checks below can fail)', (t) => {
    if (unavailable) return t.skip('no real kube-apiserver here (why: printed above)');
    const misspelled = `apiVersion: v1
kind: ConfigMap
metadata:
  name: misspelled
data: { a: b }
binaryDatta: {}
`;
    assert.throws(
      () => cluster.kubectl(strictDryRun('default'), misspelled),
      /field not declared in schema|unknown field "binaryDatta"/,
    );
  });

  for (const valuesFile of ciValuesFiles()) {
    const name = path.basename(valuesFile, '-values.yaml');
    const namespace = `ci-${name}`;
    it(`${name}: every object is accepted server-side, created by helm install and read back`, async (t) => {
      if (unavailable) return t.skip('no real kube-apiserver here (why: printed above)');
      const helmArgs = [
        RELEASE,
        chartDir,
        '--namespace',
        namespace,
        '-f',
        valuesFile,
        '--kubeconfig',
        cluster.kubeconfigPath,
      ];
      const rendered = await runHelm(['template', ...helmArgs]);
      assert.equal(rendered.status, 0, rendered.stderr);
      // The documents as rendered (re-serialising would lose quotes: "yes" must stay a string for the server).
      const documents = parseAllDocuments(rendered.stdout)
        .map((document) => ({ object: document.toJS() as KubeObject | null, text: document.toString() }))
        .filter((document): document is { object: KubeObject; text: string } => document.object !== null);
      const objects = documents.map((document) => document.object);
      const skipped = objects.filter((object) => !isServed(object));
      for (const object of skipped)
        process.stdout.write(
          `${name}: SKIPPED ${object.apiVersion} ${object.kind}/${object.metadata.name}: the server does not serve it (its CRD is not in test/kube/fixtures)\n`,
        );
      const acceptedText = documents
        .filter((document) => isServed(document.object))
        .map((document) => `---\n${document.text}`)
        .join('');

      cluster.kubectl(['create', 'namespace', namespace]);
      // What the (absent) service-account controller would do: a namespace's `default` ServiceAccount,
      // which admission requires of a Pod (the chart's `helm test` Pod).
      cluster.kubectl(['create', 'serviceaccount', 'default', '-n', namespace]);
      cluster.kubectl(strictDryRun(namespace), acceptedText);
      if (skipped.length > 0) return;

      const install = await runHelm(['install', ...helmArgs]);
      assert.equal(install.status, 0, `helm install -f ${name}-values.yaml refused:\n${install.stderr}`);
      const manifest = await runHelm([
        'get',
        'manifest',
        RELEASE,
        '--namespace',
        namespace,
        '--kubeconfig',
        cluster.kubeconfigPath,
      ]);
      const stored = JSON.parse(
        cluster.kubectl(['get', '-n', namespace, '-f', '-', '-o', 'json'], manifest.stdout),
      ) as {
        items: (KubeObject & { metadata: { uid?: string }; spec?: Record<string, unknown> })[];
      };
      // Hooks (the `helm test` Pod) are not part of an install; the dry-run above checked them.
      const installed = objects.filter((object) => !object.metadata.annotations?.['helm.sh/hook']);
      const key = (object: KubeObject) => `${object.kind}/${object.metadata.name}`;
      assert.deepEqual(
        stored.items.map(key).sort(),
        installed.map(key).sort(),
        'every rendered object is stored',
      );
      for (const object of stored.items)
        assert.ok(object.metadata.uid, `${key(object)} has a server-assigned uid`);
      for (const deployment of stored.items.filter((object) => object.kind === 'Deployment'))
        assert.equal(
          deployment.spec?.progressDeadlineSeconds,
          600,
          `${key(deployment)} was defaulted by the server`,
        );
      const kinds = new Map<string, number>();
      for (const object of stored.items) kinds.set(object.kind, (kinds.get(object.kind) ?? 0) + 1);
      process.stdout.write(
        `${name}: ${stored.items.length} objects stored: ${[...kinds].map(([kind, count]) => `${kind}×${count}`).join(', ')}\n`,
      );
    });
  }
});

/** Server-side apply, dry-run (stored nowhere), strict: an unknown or duplicated field is an error, not a warning. */
function strictDryRun(namespace: string): string[] {
  return [
    'apply',
    '--server-side',
    '--dry-run=server',
    '--validate=strict',
    '--field-manager=switchyard-test',
    '-n',
    namespace,
    '-f',
    '-',
  ];
}
