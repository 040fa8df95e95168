/**
 * The lab's Role against what the lab really asks of the Kubernetes API: the lab's own KubeTarget (plan,
 * prepare every cell, close) runs against a stand-in API server that serves the chart's rendered Deployments
 * and records every request; each request must be allowed by the rendered Role, and each rule must be used.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubeTarget } from '@switchyard/lab';
import { ciValuesFiles } from './support/ci-values';
import { renderChart, TEST_NAMESPACE } from './support/helm-cli';
import { findObject, type KubeObject } from './support/kube-object';
import { selectorMatches } from './support/network-policy';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** One API request as RBAC sees it. */
interface Access {
  verb: string;
  group: string;
  resource: string;
  name?: string;
}

function allows(rule: Rule, access: Access): boolean {
  return (
    rule.apiGroups.includes(access.group) &&
    rule.resources.includes(access.resource) &&
    rule.verbs.includes(access.verb) &&
    (!rule.resourceNames || (access.name !== undefined && rule.resourceNames.includes(access.name)))
  );
}

function labelSelector(query: string | null): Record<string, string> {
  return Object.fromEntries(
    (query ?? '')
      .split(',')
      .filter(Boolean)
      .map((pair) => pair.split('=') as [string, string]),
  );
}

/** A Kubernetes API with the rendered Deployments, their scale and Running pods; records each request. */
function fakeApiServer(deployments: KubeObject[], accesses: Access[]): Server {
  const replicas = new Map(
    deployments.map((object) => [
      object.metadata.name,
      Number((object.spec as { replicas?: number }).replicas ?? 1),
    ]),
  );
  const deploymentView = (object: KubeObject) => {
    const count = replicas.get(object.metadata.name) ?? 0;
    return {
      ...object,
      metadata: { ...object.metadata, namespace: TEST_NAMESPACE, generation: 1 },
      spec: { ...(object.spec as object), replicas: count },
      status: { observedGeneration: 1, replicas: count, readyReplicas: count },
    };
  };
  return createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://api');
      const reply = (status: number, payload: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(payload));
      };
      const apps = new RegExp(
        `^/apis/apps/v1/namespaces/${TEST_NAMESPACE}/deployments(?:/([^/]+)(?:/(scale))?)?$`,
      ).exec(url.pathname);
      const pods = url.pathname === `/api/v1/namespaces/${TEST_NAMESPACE}/pods`;
      const verb = request.method === 'PATCH' ? 'patch' : apps?.[1] ? 'get' : 'list';
      if (apps) {
        const [, name, sub] = apps;
        accesses.push({ verb, group: 'apps', resource: sub ? 'deployments/scale' : 'deployments', name });
        if (!name) {
          const selector = labelSelector(url.searchParams.get('labelSelector'));
          const items = deployments.filter((object) =>
            selectorMatches({ matchLabels: selector }, object.metadata.labels ?? {}),
          );
          return reply(200, {
            apiVersion: 'apps/v1',
            kind: 'DeploymentList',
            metadata: {},
            items: items.map(deploymentView),
          });
        }
        const object = deployments.find((candidate) => candidate.metadata.name === name);
        if (!object) return reply(404, { kind: 'Status', code: 404 });
        if (sub && request.method === 'PATCH') {
          const patch = JSON.parse(body) as
            { op: string; path: string; value: number }[] | { spec: { replicas: number } };
          const value = Array.isArray(patch)
            ? patch.find((op) => op.path === '/spec/replicas')?.value
            : patch.spec.replicas;
          replicas.set(name, Number(value));
        }
        if (sub)
          return reply(200, {
            apiVersion: 'autoscaling/v1',
            kind: 'Scale',
            metadata: { name, namespace: TEST_NAMESPACE },
            spec: { replicas: replicas.get(name) },
            status: { replicas: replicas.get(name) },
          });
        return reply(200, deploymentView(object));
      }
      if (pods) {
        accesses.push({ verb, group: '', resource: 'pods' });
        const selector = labelSelector(url.searchParams.get('labelSelector'));
        const owner = deployments.find((object) =>
          selectorMatches(
            { matchLabels: selector },
            (object.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata
              .labels,
          ),
        );
        const count = owner ? (replicas.get(owner.metadata.name) ?? 0) : 0;
        const items = Array.from({ length: count }, (_, index) => ({
          metadata: { name: `${owner?.metadata.name}-${index}`, namespace: TEST_NAMESPACE, labels: selector },
          status: { phase: 'Running', podIP: `10.0.0.${index + 1}` },
        }));
        return reply(200, { apiVersion: 'v1', kind: 'PodList', metadata: {}, items });
      }
      accesses.push({ verb, group: '?', resource: url.pathname });
      reply(404, { kind: 'Status', code: 404 });
    });
  });
}

describe('chart: the lab Role against the lab code (a stand-in Kubernetes API)', () => {
  const accesses: Access[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'chart-lab-rbac-'));
  let server: Server;
  let objects: KubeObject[];

  before(async () => {
    const file = ciValuesFiles().find((candidate) => path.basename(candidate) === 'lab-values.yaml');
    assert.ok(file);
    // With an extra pool: a Deployment of the release that the lab neither finds nor may scale.
    objects = await renderChart([
      '-f',
      file,
      '--set-json',
      'compute.pools=[{"name":"batch","lane":"cpu-batch"}]',
    ]);
    assert.ok(findObject(objects, 'Deployment', 'sy-switchyard-compute-batch'));
    server = fakeApiServer(
      objects.filter((object) => object.kind === 'Deployment'),
      accesses,
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    writeFileSync(
      path.join(dir, 'kubeconfig'),
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        // Plain HTTP: the client allows it only with skipTLSVerify.
        clusters: [
          { name: 'fake', cluster: { server: `http://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } },
        ],
        users: [{ name: 'lab', user: { token: 'lab-token' } }],
        contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'lab', namespace: TEST_NAMESPACE } }],
        'current-context': 'fake',
      }),
    );
  });

  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("every request of the lab's plan, cell and restore is allowed by the Role, and every rule is used", async () => {
    const target = new KubeTarget({
      namespace: TEST_NAMESPACE,
      apiUrl: 'http://sy-switchyard-api',
      kubeconfigPath: path.join(dir, 'kubeconfig'),
      quick: true,
      readPodStats: true,
      scaler: { pollIntervalMs: 10, readyTimeoutMs: 5000 },
    });
    const cells = await target.plan();
    let statsUrls = 0;
    for (const cell of cells.filter((candidate) => candidate.kube?.length)) {
      statsUrls += (await target.prepare(cell, new AbortController().signal)).consumers.length;
    }
    assert.ok(statsUrls > 0, 'no /stats URL read from the pods');
    await target.close();

    const rules = (findObject(objects, 'Role', 'sy-switchyard-lab')?.rules ?? []) as Rule[];
    const denied = accesses.filter((access) => !rules.some((rule) => allows(rule, access)));
    assert.deepEqual(denied, [], 'requests the Role does not allow');
    // Each verb of each rule, and each name it lists, is needed by some request.
    const unused = rules.flatMap((rule) =>
      rule.verbs.flatMap((verb) =>
        (rule.resourceNames ?? [undefined]).flatMap((name) => {
          const narrowed = { ...rule, verbs: [verb], ...(name ? { resourceNames: [name] } : {}) };
          return accesses.some((access) => allows(narrowed, access))
            ? []
            : [`${verb} ${rule.resources.join(',')} ${name ?? ''}`];
        }),
      ),
    );
    assert.deepEqual(unused, [], 'grants no request needs');
    const scaled = new Set(accesses.filter((access) => access.verb === 'patch').map((access) => access.name));
    assert.ok(scaled.size > 0, 'the lab scaled nothing');
  });
});
