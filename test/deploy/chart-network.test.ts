import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ciValuesFiles } from './support/ci-values';
import { renderChart } from './support/helm-cli';
import { findObject, podOwners, type KubeObject, type PodOwner } from './support/kube-object';
import { admittedTo, admitsPod, egressAllowed, type NamedPort } from './support/network-policy';

const REDIS: NamedPort = { name: 'redis', number: 6379 };
const DNS: NamedPort = { name: 'dns', number: 53 };
const KUBE_DNS = { 'k8s-app': 'kube-dns' };
const REDIS_CLIENTS = /^(api|io-consumer|compute(-.+)?)$/;

function ciFile(name: string): string {
  const file = ciValuesFiles().find((candidate) => path.basename(candidate) === name);
  assert.ok(file, `helm/switchyard/ci/${name} is missing`);
  return file;
}

const component = (owner: PodOwner) => owner.podLabels['app.kubernetes.io/component'] ?? '';

function owner(objects: readonly KubeObject[], wanted: string): PodOwner {
  const found = podOwners(objects).find((candidate) => component(candidate) === wanted);
  assert.ok(found, `no ${wanted} pod rendered`);
  return found;
}

describe('chart: NetworkPolicies', () => {
  it('Redis admits the api and the consumers only, not Jaeger, the lab or the helm test Pod', async () => {
    for (const file of ['lab-values.yaml', 'keda-values.yaml']) {
      const objects = await renderChart(['-f', ciFile(file)]);
      const redis = owner(objects, 'redis');
      const peers = admittedTo(objects, redis.podLabels, REDIS);
      const others = podOwners(objects).filter((candidate) => candidate !== redis);
      assert.ok(
        others.some((candidate) => /jaeger|lab|test/.test(component(candidate))),
        file,
      );
      for (const client of others) {
        const expected = REDIS_CLIENTS.test(component(client));
        assert.equal(
          admitsPod(peers, client.podLabels),
          expected,
          `${file}: ${component(client)} into Redis`,
        );
        assert.equal(
          egressAllowed(objects, client.podLabels, redis.podLabels, REDIS),
          expected,
          `${file}: ${component(client)} out to Redis`,
        );
      }
    }
  });

  it('denies egress by default: every pod resolves names, none reaches outside unless told', async () => {
    const objects = await renderChart(['-f', ciFile('lab-values.yaml')]);
    for (const pod of podOwners(objects)) {
      const name = component(pod);
      for (const protocol of ['UDP', 'TCP'])
        assert.ok(
          egressAllowed(objects, pod.podLabels, KUBE_DNS, DNS, protocol),
          `${name}: DNS over ${protocol}`,
        );
      const https = { name: 'https', number: 443 };
      // Only the lab goes out: to the Kubernetes API, whose address no selector names.
      assert.equal(
        egressAllowed(objects, pod.podLabels, 'external', https),
        name === 'lab',
        `${name} on 443`,
      );
    }
    const jaeger = owner(objects, 'jaeger');
    const otlp = { name: 'otlp-http', number: 4318 };
    for (const name of ['api', 'io-consumer', 'compute', 'lab'])
      assert.ok(
        egressAllowed(objects, owner(objects, name).podLabels, jaeger.podLabels, otlp),
        `${name} to Jaeger`,
      );
    assert.equal(egressAllowed(objects, owner(objects, 'redis').podLabels, jaeger.podLabels, otlp), false);
    const api = owner(objects, 'api');
    assert.equal(
      egressAllowed(objects, owner(objects, 'test').podLabels, api.podLabels, { name: 'http', number: 3000 }),
      true,
      'the helm test Pod reaches the api',
    );
    assert.equal(
      egressAllowed(objects, owner(objects, 'test').podLabels, owner(objects, 'redis').podLabels, REDIS),
      false,
    );
  });

  it('opens the ports of an external Redis, an OTLP collector, io.http hosts and extraEgress', async () => {
    const objects = await renderChart([
      '-f',
      ciFile('external-redis-tls-values.yaml'),
      '--set-json',
      'config.httpAllowedHosts=["api.example.com","example.org:8443"]',
      '--set-json',
      'networkPolicy.extraEgress=[{"to":[{"ipBlock":{"cidr":"10.0.0.0/8"}}],"ports":[{"port":5432,"protocol":"TCP"}]}]',
    ]);
    const port = (number: number): NamedPort => ({ name: String(number), number });
    const api = owner(objects, 'api').podLabels;
    const consumer = owner(objects, 'io-consumer').podLabels;
    assert.ok(egressAllowed(objects, api, 'external', port(6380)), 'the api to the external Redis');
    assert.ok(egressAllowed(objects, consumer, 'external', port(4317)), 'a consumer to the OTLP collector');
    for (const number of [80, 443, 8443]) {
      assert.ok(egressAllowed(objects, consumer, 'external', port(number)), `io.http on ${number}`);
      assert.equal(egressAllowed(objects, api, 'external', port(number)), false, `the api on ${number}`);
    }
    assert.ok(
      egressAllowed(objects, owner(objects, 'test').podLabels, 'external', port(5432)),
      'extraEgress',
    );
    assert.equal(egressAllowed(objects, api, 'external', port(5433)), false);
  });

  it('takes the api port from networkPolicy.apiFrom, and the admin port on a policy of its own', async () => {
    const ingress = [
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } },
    ];
    const objects = await renderChart([
      '--set',
      'auth.existingSecret=keys',
      '--set-json',
      `networkPolicy.apiFrom=${JSON.stringify(ingress)}`,
    ]);
    const api = owner(objects, 'api');
    assert.deepEqual(admittedTo(objects, api.podLabels, { name: 'http', number: 3000 }), ingress);
    const admin = findObject(objects, 'NetworkPolicy', 'sy-switchyard-api-admin');
    assert.ok(admin, 'no policy for the admin port');
    assert.deepEqual(
      (admin.spec as { ingress: { ports: unknown[] }[] }).ingress.map((rule) => rule.ports),
      [[{ port: 'admin', protocol: 'TCP' }]],
    );
    const main = findObject(objects, 'NetworkPolicy', 'sy-switchyard-api');
    assert.doesNotMatch(
      JSON.stringify(main?.spec),
      /admin/,
      'the api policy leaves the admin port to its own',
    );
  });

  it("admits the consumers' health ports from the lab (it reads /stats) and the scrapers only", async () => {
    const objects = await renderChart(['-f', ciFile('lab-values.yaml')]);
    const consumer = owner(objects, 'io-consumer');
    const peers = admittedTo(objects, consumer.podLabels, { name: 'health', number: 3001 });
    for (const pod of podOwners(objects))
      assert.equal(admitsPod(peers, pod.podLabels), component(pod) === 'lab', component(pod));
  });
});
