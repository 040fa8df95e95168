/**
 * A FAKE Kubernetes API server for `npm test`, which builds no kube-apiserver (`npm run test:kube`
 * runs the lab against a real one, see test/kube). It implements exactly the endpoints the lab
 * calls — list Deployments by label, read a Deployment, read and JSON-patch its scale subresource —
 * and rolls replicas out one status read after a scale.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface FakeDeployment {
  name: string;
  component: 'io-consumer' | 'compute';
  replicas: number;
  env?: Record<string, string>;
  /** Never reports ready replicas after a scale (a rollout that hangs). */
  neverReady?: boolean;
}

interface DeploymentState extends FakeDeployment {
  readyReplicas: number;
  generation: number;
  observedGeneration: number;
}

export interface FakeKubeApi {
  url: string;
  /** A kubeconfig file whose current context points at this server. */
  kubeconfigPath: string;
  /** Every scale patch, in order. */
  patches: { name: string; replicas: number }[];
  replicasOf(name: string): number;
  close(): Promise<void>;
}

function send(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

export async function startFakeKubeApi(
  namespace: string,
  deployments: FakeDeployment[],
): Promise<FakeKubeApi> {
  const state = new Map<string, DeploymentState>(
    deployments.map((deployment) => [
      deployment.name,
      { ...deployment, readyReplicas: deployment.replicas, generation: 1, observedGeneration: 1 },
    ]),
  );
  const patches: { name: string; replicas: number }[] = [];
  const toDeployment = (deployment: DeploymentState) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: deployment.name,
      namespace,
      generation: deployment.generation,
      labels: { 'app.kubernetes.io/name': 'switchyard', 'app.kubernetes.io/component': deployment.component },
    },
    spec: {
      replicas: deployment.replicas,
      selector: {
        matchLabels: {
          'app.kubernetes.io/name': 'switchyard',
          'app.kubernetes.io/component': deployment.component,
        },
      },
      template: {
        metadata: { labels: {} },
        spec: {
          containers: [
            {
              name: deployment.component,
              image: 'switchyard:test',
              env: Object.entries(deployment.env ?? {}).map(([name, value]) => ({ name, value })),
              ports: [{ name: 'health', containerPort: 3001 }],
            },
          ],
        },
      },
    },
    status: {
      observedGeneration: deployment.observedGeneration,
      replicas: deployment.readyReplicas,
      readyReplicas: deployment.readyReplicas,
    },
  });
  const toScale = (deployment: DeploymentState) => ({
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name: deployment.name, namespace },
    spec: { replicas: deployment.replicas },
    status: { replicas: deployment.readyReplicas },
  });

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    const prefix = `/apis/apps/v1/namespaces/${namespace}/deployments`;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (!url.pathname.startsWith(prefix))
        return send(response, 404, { kind: 'Status', message: `fake: no route ${url.pathname}` });
      const [name, subresource] = url.pathname.slice(prefix.length).split('/').filter(Boolean);
      if (!name && request.method === 'GET') {
        const selector = url.searchParams.get('labelSelector') ?? '';
        const component = /app\.kubernetes\.io\/component=([a-z-]+)/.exec(selector)?.[1];
        const items = [...state.values()]
          .filter((deployment) => !component || deployment.component === component)
          .map(toDeployment);
        return send(response, 200, { apiVersion: 'apps/v1', kind: 'DeploymentList', metadata: {}, items });
      }
      const deployment = name ? state.get(name) : undefined;
      if (!deployment)
        return send(response, 404, { kind: 'Status', message: `deployments.apps "${name}" not found` });
      if (!subresource && request.method === 'GET') {
        const view = toDeployment(deployment);
        // The rollout finishes after this read: the next read sees the new replicas ready.
        deployment.observedGeneration = deployment.generation;
        if (!deployment.neverReady) deployment.readyReplicas = deployment.replicas;
        return send(response, 200, view);
      }
      if (subresource === 'scale' && request.method === 'GET')
        return send(response, 200, toScale(deployment));
      if (subresource === 'scale' && request.method === 'PATCH') {
        if (request.headers['content-type'] !== 'application/json-patch+json') {
          return send(response, 415, {
            kind: 'Status',
            message: `fake: unexpected content type ${request.headers['content-type']}`,
          });
        }
        const operations = JSON.parse(Buffer.concat(chunks).toString()) as {
          op: string;
          path: string;
          value: number;
        }[];
        for (const operation of operations) {
          if (operation.op === 'replace' && operation.path === '/spec/replicas')
            deployment.replicas = operation.value;
        }
        deployment.generation++;
        patches.push({ name: deployment.name, replicas: deployment.replicas });
        return send(response, 200, toScale(deployment));
      }
      return send(response, 405, {
        kind: 'Status',
        message: `fake: ${request.method} ${url.pathname} is not an endpoint this fake serves`,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeconfigPath = path.join(mkdtempSync(path.join(os.tmpdir(), 'lab-kube-')), 'config');
  writeFileSync(
    kubeconfigPath,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      // The client refuses plain HTTP unless TLS checks are off; the fake has no certificate.
      `- name: fake\n  cluster:\n    server: ${url}\n    insecure-skip-tls-verify: true`,
      'users:',
      '- name: fake\n  user:\n    token: fake-token',
      'contexts:',
      `- name: fake\n  context:\n    cluster: fake\n    user: fake\n    namespace: ${namespace}`,
      'current-context: fake',
      '',
    ].join('\n'),
  );
  return {
    url,
    kubeconfigPath,
    patches,
    replicasOf: (deploymentName) => state.get(deploymentName)?.replicas ?? -1,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
