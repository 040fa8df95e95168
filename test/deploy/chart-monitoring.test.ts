import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { ciValuesFiles } from './support/ci-values';
import { renderChart, TEST_NAMESPACE } from './support/helm-cli';
import { findObject, podOwners, type KubeObject } from './support/kube-object';
import { CONTRACT_LABELS, CONTRACT_SERIES, labelsIn, seriesIn } from './support/metric-contract';
import { selectorMatches } from './support/network-policy';

const PROMTOOL = '/usr/bin/promtool';
const work = mkdtempSync(path.join(tmpdir(), 'chart-monitoring-'));
after(() => rmSync(work, { recursive: true, force: true }));

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
interface RuleGroup {
  name: string;
  rules: Rule[];
}

function promtool(args: string[]): { status: number | null; output: string } {
  assert.ok(
    existsSync(PROMTOOL),
    `${PROMTOOL} is missing: apt-get install prometheus (Debian's package ships promtool)`,
  );
  const result = spawnSync(PROMTOOL, args, { encoding: 'utf8', cwd: work });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

async function renderObservability(): Promise<KubeObject[]> {
  const file = ciValuesFiles().find((candidate) => path.basename(candidate) === 'observability-values.yaml');
  assert.ok(file);
  return renderChart(['-f', file]);
}

function ruleGroups(objects: readonly KubeObject[]): RuleGroup[] {
  const rule = findObject(objects, 'PrometheusRule', 'sy-switchyard');
  assert.ok(rule, 'no PrometheusRule');
  return (rule.spec as { groups: RuleGroup[] }).groups;
}

/** Alert annotations as Prometheus expands them for one alert's labels (`{{ $labels.x }}` only). */
function expand(annotations: Record<string, string>, labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(annotations).map(([key, text]) => [
      key,
      text.replace(/\{\{ \$labels\.([a-z_]+) \}\}/g, (_, name: string) => labels[name] ?? ''),
    ]),
  );
}

describe('chart: Prometheus Operator and Grafana objects', () => {
  it('the ServiceMonitor scrapes the admin and health ports of the api and the consumers, nothing else', async () => {
    const objects = await renderObservability();
    const service = findObject(objects, 'Service', 'sy-switchyard-metrics');
    const monitor = findObject(objects, 'ServiceMonitor', 'sy-switchyard');
    assert.ok(service && monitor);
    assert.equal(monitor.metadata.labels?.release, 'kube-prometheus-stack');
    const monitorSpec = monitor.spec as {
      selector: { matchLabels: Record<string, string> };
      namespaceSelector: { matchNames: string[] };
      endpoints: { port: string; path: string; interval: string }[];
    };
    assert.ok(
      selectorMatches(monitorSpec.selector, service.metadata.labels ?? {}),
      'the ServiceMonitor misses the Service',
    );
    assert.deepEqual(monitorSpec.namespaceSelector.matchNames, [TEST_NAMESPACE]);
    const servicePorts = (
      service.spec as { ports: { name: string; targetPort: string }[]; clusterIP: string }
    ).ports;
    assert.deepEqual(
      monitorSpec.endpoints.map((endpoint) => [endpoint.port, endpoint.path, endpoint.interval]),
      servicePorts.map((port) => [port.name, '/metrics', '15s']),
    );
    const selector = (service.spec as { selector: Record<string, string> }).selector;
    const scraped = podOwners(objects).filter((owner) =>
      selectorMatches({ matchLabels: selector }, owner.podLabels),
    );
    assert.deepEqual(scraped.map((owner) => owner.podLabels['app.kubernetes.io/component']).sort(), [
      'api',
      'compute',
      'io-consumer',
    ]);
    for (const owner of scraped) {
      const names = owner.podSpec.containers[0].ports?.map((port) => port.name) ?? [];
      assert.ok(
        servicePorts.some((port) => names.includes(port.targetPort)),
        `${owner.object.metadata.name} has none of the Service's target ports`,
      );
    }
  });

  it('promtool checks the rendered rules; each alert reads only contract series and labels', async () => {
    const groups = ruleGroups(await renderObservability());
    const file = path.join(work, 'rules.yaml');
    writeFileSync(file, stringify({ groups }));
    const check = promtool(['check', 'rules', file]);
    assert.equal(check.status, 0, check.output);
    assert.match(check.output, /SUCCESS: 5 rules found/);
    const alerts = groups.flatMap((group) => group.rules);
    assert.deepEqual(alerts.map((rule) => rule.alert).sort(), [
      'SwitchyardEventLoopDelayHigh',
      'SwitchyardJobFailureRatioHigh',
      'SwitchyardLaneBacklogGrowing',
      'SwitchyardLaneWithoutConsumers',
      'SwitchyardPoolSaturated',
    ]);
    for (const rule of alerts) {
      const series = seriesIn(rule.expr);
      assert.ok(series.length > 0, rule.alert);
      for (const name of series)
        assert.ok(CONTRACT_SERIES.has(name), `${rule.alert} reads ${name}, not a contract series`);
      for (const label of labelsIn(rule.expr))
        assert.ok(
          CONTRACT_LABELS.has(label) || ['namespace', 'pod', 'instance'].includes(label),
          `${rule.alert}: label ${label}`,
        );
    }
  });

  it('promtool test rules: each alert fires on the series it watches, with its labels', async () => {
    const groups = ruleGroups(await renderObservability());
    writeFileSync(path.join(work, 'rules.yaml'), stringify({ groups }));
    const rules = Object.fromEntries(
      groups.flatMap((group) => group.rules).map((rule) => [rule.alert, rule]),
    );
    const ns = `namespace="${TEST_NAMESPACE}"`;
    const firing = (alert: string, labels: Record<string, string>) => ({
      alertname: alert,
      exp_alerts: [
        {
          exp_labels: { ...labels, severity: rules[alert].labels.severity },
          exp_annotations: expand(rules[alert].annotations, labels),
        },
      ],
    });
    const at = (minutes: number, alerts: ReturnType<typeof firing>[]) =>
      alerts.map((alert) => ({ eval_time: `${minutes}m`, ...alert }));
    const lane = { namespace: TEST_NAMESPACE, switchyard_lane: 'io' };
    const tests = {
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            // Lane io: waiting jobs grow by 100 a minute, none run; lane cpu: steady, busy.
            {
              series: `switchyard_lane_depth{${ns},switchyard_lane="io",switchyard_job_state="waiting",pod="api-1"}`,
              values: '0+100x60',
            },
            {
              series: `switchyard_lane_depth{${ns},switchyard_lane="io",switchyard_job_state="active",pod="api-1"}`,
              values: '0x60',
            },
            {
              series: `switchyard_lane_depth{${ns},switchyard_lane="cpu",switchyard_job_state="waiting",pod="api-1"}`,
              values: '20x60',
            },
            {
              series: `switchyard_lane_depth{${ns},switchyard_lane="cpu",switchyard_job_state="active",pod="api-1"}`,
              values: '8x60',
            },
            // Task io.http fails 6 jobs for every 60 it completes (9 %); io.sleep never fails.
            {
              series: `switchyard_jobs_failed_total{${ns},switchyard_task="io.http",pod="io-1"}`,
              values: '0+6x60',
            },
            {
              series: `switchyard_jobs_completed_total{${ns},switchyard_task="io.http",pod="io-1"}`,
              values: '0+60x60',
            },
            {
              series: `switchyard_jobs_failed_total{${ns},switchyard_task="io.sleep",pod="io-1"}`,
              values: '0x60',
            },
            {
              series: `switchyard_jobs_completed_total{${ns},switchyard_task="io.sleep",pod="io-1"}`,
              values: '0+60x60',
            },
            {
              series: `nodejs_eventloop_delay_p99_seconds{${ns},pod="io-1",instance="10.0.0.1:3001"}`,
              values: '0.8x60',
            },
            {
              series: `nodejs_eventloop_delay_p99_seconds{${ns},pod="api-1",instance="10.0.0.2:9464"}`,
              values: '0.01x60',
            },
            {
              series: `switchyard_pool_utilization_ratio{${ns},switchyard_execution_model="worker-threads",pod="c-1"}`,
              values: '0.95x60',
            },
            {
              series: `switchyard_pool_utilization_ratio{${ns},switchyard_execution_model="processes",pod="c-2"}`,
              values: '0.5x60',
            },
          ],
          alert_rule_test: [
            ...at(5, [
              { alertname: 'SwitchyardLaneWithoutConsumers', exp_alerts: [] },
              { alertname: 'SwitchyardEventLoopDelayHigh', exp_alerts: [] },
            ]),
            ...at(40, [
              firing('SwitchyardLaneBacklogGrowing', lane),
              firing('SwitchyardLaneWithoutConsumers', lane),
              firing('SwitchyardJobFailureRatioHigh', {
                namespace: TEST_NAMESPACE,
                switchyard_task: 'io.http',
              }),
              firing('SwitchyardEventLoopDelayHigh', {
                namespace: TEST_NAMESPACE,
                pod: 'io-1',
                instance: '10.0.0.1:3001',
              }),
              firing('SwitchyardPoolSaturated', {
                namespace: TEST_NAMESPACE,
                switchyard_execution_model: 'worker-threads',
              }),
            ]),
          ],
        },
      ],
    };
    writeFileSync(path.join(work, 'tests.yaml'), stringify(tests));
    const result = promtool(['test', 'rules', 'tests.yaml']);
    assert.equal(result.status, 0, result.output);
    assert.match(result.output, /SUCCESS/);
  });

  it('ships a Grafana dashboard in a ConfigMap for the sidecar, every query on contract series, each valid PromQL', async () => {
    const objects = await renderObservability();
    const configMap = findObject(objects, 'ConfigMap', 'sy-switchyard-dashboard');
    assert.ok(configMap, 'no dashboard ConfigMap');
    assert.equal(configMap.metadata.labels?.grafana_dashboard, '1');
    assert.equal(configMap.metadata.annotations?.grafana_folder, 'Switchyard');
    const dashboard = JSON.parse((configMap.data as Record<string, string>)['switchyard.json']) as {
      uid: string;
      panels: { title: string; targets: { expr: string }[] }[];
    };
    assert.equal(dashboard.uid, 'switchyard');
    const exprs = dashboard.panels.flatMap((panel) =>
      panel.targets.map((target) => ({ panel: panel.title, expr: target.expr })),
    );
    assert.ok(dashboard.panels.length >= 8 && exprs.length >= 15, `${dashboard.panels.length} panels`);
    const read = new Set<string>();
    for (const { panel, expr } of exprs) {
      for (const name of seriesIn(expr)) {
        assert.ok(CONTRACT_SERIES.has(name), `panel "${panel}" reads ${name}, not a contract series`);
        read.add(name);
      }
      for (const label of labelsIn(expr))
        assert.ok(
          CONTRACT_LABELS.has(label) || ['namespace', 'pod', 'instance'].includes(label),
          `${panel}: label ${label}`,
        );
    }
    for (const family of [
      'switchyard_jobs_failed_total',
      'switchyard_lane_depth',
      'switchyard_pool_utilization_ratio',
      'nodejs_eventloop_delay_p99_seconds',
      'switchyard_job_run_duration_seconds_bucket',
    ])
      assert.ok(read.has(family), `no panel shows ${family}`);
    // promtool parses each query, with Grafana's variables as Prometheus would receive them.
    const groups = [
      {
        name: 'dashboard',
        rules: exprs.map(({ expr }, index) => ({
          record: `dashboard:query_${index}`,
          expr: expr.replaceAll('$__rate_interval', '5m').replaceAll('$namespace', TEST_NAMESPACE),
        })),
      },
    ];
    writeFileSync(path.join(work, 'dashboard.yaml'), stringify({ groups }));
    const check = promtool(['check', 'rules', 'dashboard.yaml']);
    assert.equal(check.status, 0, check.output);
  });

  it('the contract checks themselves catch a series or a label that is not exported', () => {
    assert.deepEqual(
      seriesIn(
        'sum by (switchyard_lane) (rate(switchyard_jobs_failed_total{a="b"}[5m])) / bull_queue_waiting > 0.5',
      ),
      ['switchyard_jobs_failed_total', 'bull_queue_waiting'],
    );
    assert.deepEqual(labelsIn('max by (queue) (x{state="waiting"})'), ['state', 'queue']);
  });

  it('renders none of them by default', async () => {
    const kinds = (await renderChart(['--set', 'auth.existingSecret=keys'])).map(
      (object) => `${object.kind}/${object.metadata.name}`,
    );
    for (const unwanted of [
      'ServiceMonitor/sy-switchyard',
      'PrometheusRule/sy-switchyard',
      'ConfigMap/sy-switchyard-dashboard',
      'Service/sy-switchyard-metrics',
    ])
      assert.ok(!kinds.includes(unwanted), unwanted);
  });
});
