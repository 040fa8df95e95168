import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ciValuesFiles } from './support/ci-values';
import { renderChart } from './support/helm-cli';
import { findObject, podOwners, type KubeObject } from './support/kube-object';
import { admittedTo, type NamedPort } from './support/network-policy';
import { containerEnv, workload } from './support/rendered-env';

const API = 'sy-switchyard-api';
const AUTH = ['--set', 'auth.existingSecret=keys'];
const DEFAULT_SCRAPERS = [{ podSelector: { matchLabels: { 'switchyard.dev/metrics-scraper': 'true' } } }];

function ciFile(name: string): string {
  const file = ciValuesFiles().find((candidate) => path.basename(candidate) === name);
  assert.ok(file, `helm/switchyard/ci/${name} is missing`);
  return file;
}

function apiPorts(objects: readonly KubeObject[]): {
  http: NamedPort;
  admin?: NamedPort;
  labels: Record<string, string>;
} {
  const owner = podOwners(objects).find((candidate) => candidate.object.metadata.name === API);
  assert.ok(owner, 'no api Deployment');
  const port = (name: string) => {
    const found = owner.podSpec.containers[0].ports?.find((candidate) => candidate.name === name);
    return found ? { name, number: found.containerPort } : undefined;
  };
  const http = port('http');
  assert.ok(http, 'the api has no http port');
  return { http, admin: port('admin'), labels: owner.podLabels };
}

describe('chart: the admin port and metrics scraping', () => {
  it('serves the admin port the api is told about, is scraped there, and is probed on the http port', async () => {
    const objects = await renderChart(AUTH);
    const { container, annotations } = workload(objects, API);
    const { admin } = apiPorts(objects);
    assert.deepEqual(admin, { name: 'admin', number: 9464 });
    assert.equal(containerEnv(objects, container).ADMIN_PORT, '9464');
    assert.equal(annotations['prometheus.io/scrape'], 'true');
    assert.equal(annotations['prometheus.io/port'], '9464');
    assert.equal(annotations['prometheus.io/path'], '/metrics');
    for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe]) {
      assert.equal(probe?.httpGet?.port, 'http');
      assert.match(probe?.httpGet?.path ?? '', /^\/(healthz|readyz)$/);
    }
    const service = findObject(objects, 'Service', API)?.spec as { ports: { targetPort: string }[] };
    assert.deepEqual(
      service.ports.map((port) => port.targetPort),
      ['http'],
      'the admin port stays off the api Service',
    );
  });

  it('scrapes each consumer on the health port that serves its /metrics', async () => {
    const objects = await renderChart(['-f', ciFile('keda-values.yaml')]);
    const consumers = podOwners(objects).filter((owner) =>
      /io-consumer|compute/.test(owner.podLabels['app.kubernetes.io/component'] ?? ''),
    );
    assert.equal(consumers.length, 3);
    for (const owner of consumers) {
      const { container, annotations } = workload(objects, owner.object.metadata.name);
      assert.equal(annotations['prometheus.io/port'], containerEnv(objects, container).HEALTH_PORT);
      assert.equal(annotations['prometheus.io/path'], '/metrics');
    }
  });

  it('admits the admin port from the scrapers only, while the http port stays open', async () => {
    for (const [args, scrapers] of [
      [AUTH, DEFAULT_SCRAPERS],
      [
        ['-f', ciFile('hpa-pools-values.yaml')],
        [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
          },
        ],
      ],
    ] as const) {
      const objects = await renderChart(args);
      const { http, admin, labels } = apiPorts(objects);
      assert.ok(admin);
      assert.equal(admittedTo(objects, labels, http), 'everyone');
      assert.deepEqual(admittedTo(objects, labels, admin), scrapers, args.join(' '));
    }
  });

  it('with no scrapers configured nothing reaches the admin port', async () => {
    const objects = await renderChart([...AUTH, '--set-json', 'networkPolicy.metricsFrom=[]']);
    const { admin, labels } = apiPorts(objects);
    assert.ok(admin);
    assert.deepEqual(admittedTo(objects, labels, admin), []);
  });

  it('admits the consumers health ports from the scrapers (and the lab, when on)', async () => {
    const objects = await renderChart(AUTH);
    const { container } = workload(objects, 'sy-switchyard-io-consumer');
    const labels = podOwners(objects).find(
      (owner) => owner.object.metadata.name === 'sy-switchyard-io-consumer',
    )?.podLabels;
    assert.ok(labels);
    const peers = admittedTo(objects, labels, {
      name: 'health',
      number: container.ports?.[0].containerPort ?? 0,
    });
    assert.deepEqual(peers, DEFAULT_SCRAPERS);
  });

  it('api.adminPort=0: no admin port, no ADMIN_PORT and nothing announced to scrape on the api', async () => {
    const objects = await renderChart([...AUTH, '--set', 'api.adminPort=0']);
    const { container, annotations } = workload(objects, API);
    assert.equal(apiPorts(objects).admin, undefined);
    assert.equal(containerEnv(objects, container).ADMIN_PORT, undefined);
    assert.equal(annotations['prometheus.io/scrape'], undefined);
    const policy = findObject(objects, 'NetworkPolicy', API)?.spec as { ingress: unknown[] };
    assert.equal(policy.ingress.length, 1);
    assert.equal(findObject(objects, 'NetworkPolicy', `${API}-admin`), undefined);
  });

  it('metrics.podAnnotations=false leaves the scrape annotations off', async () => {
    const objects = await renderChart([...AUTH, '--set', 'metrics.podAnnotations=false']);
    for (const owner of podOwners(objects)) {
      const annotations = workload(objects, owner.object.metadata.name).annotations;
      assert.equal(annotations['prometheus.io/scrape'], undefined, owner.object.metadata.name);
    }
  });
});
