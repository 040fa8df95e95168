/**
 * The lab's auto-routing cell: planned beside the misrouting cells (locally, quick and full, and on a
 * cluster with a compute Deployment), and its conclusion and chart, from synthetic measurements.
 * The real run of the cell is in lab-quick.e2e.test.ts and lab-busy.e2e.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '@switchyard/config';
import type { ConsumerDeployment } from '@switchyard/kube';
import {
  AUTO_WARM_UP_JOBS_PER_TASK,
  buildKubePlan,
  buildLocalPlan,
  buildReportCharts,
  buildReportParts,
  deriveConclusions,
  renderHtmlReport,
  summarizeCell,
  type CellResult,
  type CellSpec,
  type JobMix,
  type RoutedJobs,
} from '@switchyard/lab';
import { fakeResults, fakeRun, fakeSpec } from './lab-fixtures';

const misroutingFindings = (cells: CellResult[]) =>
  deriveConclusions(fakeResults(cells))
    .filter((conclusion) => conclusion.profile === 'misrouting')
    .flatMap((conclusion) => conclusion.findings);

/** What a mix submits, without its count: the workload two cells must share. */
const kinds = (jobs: readonly JobMix[]) => jobs.map((mix) => mix.job);

function cellOf(plan: CellSpec[], id: string): CellSpec {
  const cell = plan.find((candidate) => candidate.id === id);
  assert.ok(cell, `${id} is planned (plan: ${plan.map((candidate) => candidate.id).join(', ')})`);
  return cell;
}

describe('the auto-routing cell in the plan', () => {
  for (const quick of [true, false]) {
    test(`${quick ? '--quick' : 'a full run'} submits the mixed workload as profile "auto" after a warm-up`, () => {
      const plan = buildLocalPlan({ quick, cores: 2, only: ['misrouting'] });
      const auto = cellOf(plan, 'misrouting/auto');
      const correct = cellOf(plan, 'misrouting/cpu-on-cpu-lane');
      const misrouted = cellOf(plan, 'misrouting/cpu-on-io-lane');
      assert.ok(
        plan.indexOf(auto) > plan.indexOf(misrouted),
        'auto comes after the misrouted cell, whose ratios it must live with',
      );
      // The same jobs as the cells it is compared with; only their routing differs.
      assert.deepEqual(kinds(auto.jobs), kinds(correct.jobs));
      assert.deepEqual(
        auto.jobs.map((mix) => mix.count),
        correct.jobs.map((mix) => mix.count),
      );
      assert.ok(auto.jobs.every((mix) => mix.profile === 'auto' && mix.lane === undefined));
      assert.deepEqual(
        auto.consumers.map((consumer) => consumer.app),
        ['io-consumer', 'compute'],
        'both lanes have a consumer, so auto may use either',
      );
      assert.deepEqual(auto.consumers, correct.consumers);
      assert.ok(auto.warmUp, 'a warm-up precedes the measured runs');
      assert.deepEqual(kinds(auto.warmUp.jobs), kinds(auto.jobs));
      assert.ok(auto.warmUp.jobs.every((mix) => mix.profile === 'auto'));
      // One round gives each task the api's default minimum of measured attempts.
      const { AUTO_ROUTING_MIN_SAMPLES } = loadConfig({});
      for (const mix of auto.warmUp.jobs) assert.ok(mix.count >= AUTO_ROUTING_MIN_SAMPLES);
      assert.equal(AUTO_WARM_UP_JOBS_PER_TASK, auto.warmUp.jobs[0].count);
      assert.equal(
        plan.filter((cell) => cell.warmUp).length,
        1,
        'no other cell warms up: the others name their lanes or take the task defaults',
      );
    });
  }

  const deployment = (name: string, component: 'io-consumer' | 'compute'): ConsumerDeployment => ({
    name,
    namespace: 'lab',
    component,
    replicas: 3,
    env: component === 'compute' ? { EXECUTION_MODEL: 'worker-threads', POOL_SIZE: '2' } : {},
    podSelector: `app=${name}`,
    healthPort: 9000,
  });

  test('on a cluster: one io-consumer pod with one pod of the first compute Deployment, the others parked', () => {
    const plan = buildKubePlan(
      [
        deployment('sy-io', 'io-consumer'),
        deployment('sy-threads', 'compute'),
        deployment('sy-processes', 'compute'),
      ],
      true,
    );
    const auto = cellOf(plan, 'misrouting/auto');
    assert.deepEqual(auto.kube, [
      { component: 'io-consumer', deployment: 'sy-io', replicas: 1 },
      { component: 'compute', deployment: 'sy-processes', replicas: 0 },
      { component: 'compute', deployment: 'sy-threads', replicas: 1 },
    ]);
    assert.deepEqual(cellOf(plan, 'misrouting/cpu-on-cpu-lane').kube, auto.kube);
    assert.ok(auto.jobs.every((mix) => mix.profile === 'auto'));
    assert.ok(auto.warmUp);
  });

  test('on a cluster without a compute Deployment, only the pair that needs none', () => {
    const plan = buildKubePlan([deployment('sy-io', 'io-consumer')], true);
    assert.deepEqual(
      plan.filter((cell) => cell.experiment === 'misrouting').map((cell) => cell.id),
      ['misrouting/io-alone', 'misrouting/cpu-on-io-lane'],
    );
  });
});

/** A routing cell of three repeats: per run the io-consumer's loop delay p99 and io.sleep's p99. */
function routingCell(
  name: string,
  delays: [number, number, number],
  ioP99s: [number, number, number],
  routing: RoutedJobs[] = [],
  warmUp?: CellResult['warmUp'],
): CellResult {
  const runs = delays.map((delay, index) =>
    fakeRun(500, {
      eventLoopDelayP99Ms: delay,
      byTask: [
        {
          task: 'io.sleep',
          lane: 'io',
          jobs: 200,
          latencyMs: { p50: ioP99s[index] / 2, p95: ioP99s[index] * 0.9, p99: ioP99s[index] },
          meanQueueWaitMs: 5,
          meanRunMs: 20,
        },
      ],
      routing,
    }),
  );
  const spec = fakeSpec(`misrouting/${name}`, {
    experiment: 'misrouting',
    series: `misrouting/${name}`,
    model: 'event-loop',
    task: 'io.sleep',
    perReplica: 100,
  });
  return { ...summarizeCell(spec, runs, 'cpu.primes'), ...(warmUp ? { warmUp } : {}) };
}

const AUTO_ROUTING: RoutedJobs[] = [
  { task: 'io.sleep', lane: 'io', reason: 'measured', jobs: 200, cpuRatio: 0.01 },
  { task: 'cpu.primes', lane: 'cpu', reason: 'measured', jobs: 16, cpuRatio: 0.9 },
];

describe('the auto-routing conclusion', () => {
  const alone = routingCell('io-alone', [20, 22, 24], [100, 110, 120]);
  const misrouted = routingCell('cpu-on-io-lane', [180, 200, 220], [700, 800, 900]);
  const correct = routingCell('cpu-on-cpu-lane', [25, 27, 30], [150, 160, 170]);

  test('says where auto sent each task, summed over the runs, with the ratio it routed by', () => {
    const auto = routingCell('auto', [24, 28, 31], [140, 155, 175], AUTO_ROUTING, { rounds: 2, jobs: 96 });
    const [routed] = misroutingFindings([alone, misrouted, correct, auto]).filter((finding) =>
      finding.startsWith('Submitted with'),
    );
    assert.equal(
      routed,
      'Submitted with `profile: "auto"` after a warm-up of 2 round(s) (96 jobs), the api sent **io.sleep** → io lane for 600 of 600 jobs (measured, CPU ratio 0.010); **cpu.primes** → cpu lane for 48 of 48 jobs (measured, CPU ratio 0.900).',
    );
  });

  test('a task split over two lanes is shown on both, most jobs first', () => {
    const split = routingCell(
      'auto',
      [24, 28, 31],
      [140, 155, 175],
      [
        { task: 'io.sleep', lane: 'cpu', reason: 'measured', jobs: 10, cpuRatio: 0.2 },
        { task: 'io.sleep', lane: 'io', reason: 'task-default', jobs: 190 },
      ],
    );
    assert.match(
      misroutingFindings([split]).join('\n'),
      /\*\*io\.sleep\*\* → io lane for 570 of 600 jobs \(task-default\), cpu lane for 30 of 600 jobs \(measured, CPU ratio 0\.200\)/,
    );
  });

  test('at the level of correct routing and clearly below the misrouted case: said so, with the intervals', () => {
    const auto = routingCell('auto', [24, 28, 31], [140, 155, 175], AUTO_ROUTING);
    const text = misroutingFindings([alone, misrouted, correct, auto]).join('\n');
    assert.match(
      text,
      /With `auto`, the io-consumer's event-loop delay p99 was 28\.0 ms \[24\.0–31\.0\]: not distinguishable from routing by hand to their own lane \(27\.0 ms \[25\.0–30\.0\]\), and below the misrouted case \(200 ms \[180–220\]\): `auto` kept it at the level of correct routing\./,
    );
    assert.match(
      text,
      /With `auto`, io\.sleep p99 was 155 ms \[140–175\]: not distinguishable from routing by hand to their own lane \(160 ms \[150–170\]\), and below the misrouted case \(800 ms \[700–900\]\): `auto` kept it at the level of correct routing\./,
    );
  });

  test('as bad as misrouting: the intervals separate it from correct routing, and no claim is made', () => {
    const auto = routingCell('auto', [170, 190, 210], [650, 820, 950], AUTO_ROUTING);
    const text = misroutingFindings([alone, misrouted, correct, auto]).join('\n');
    assert.match(
      text,
      /event-loop delay p99 was 190 ms \[170–210\]: above routing by hand to their own lane \(27\.0 ms \[25\.0–30\.0\]\), and not distinguishable from the misrouted case \(200 ms \[180–220\]\)\./,
    );
    assert.doesNotMatch(text, /kept it at the level of correct routing/);
  });

  test('when every interval overlaps, the run cannot tell auto from either', () => {
    const wide = (name: string) => routingCell(name, [20, 100, 200], [100, 400, 900], AUTO_ROUTING);
    const text = misroutingFindings([wide('cpu-on-io-lane'), wide('cpu-on-cpu-lane'), wide('auto')]).join(
      '\n',
    );
    assert.match(
      text,
      /event-loop delay p99 was 100 ms \[20\.0–200\]: not distinguishable from .*: this run cannot tell `auto` from either\./,
    );
  });

  test('without the auto cell (results of an older run) nothing about auto is said', () => {
    assert.doesNotMatch(misroutingFindings([alone, misrouted, correct]).join('\n'), /auto/);
  });

  test('the misrouting chart shows auto beside the other routings, in the order compared', () => {
    const auto = routingCell('auto', [24, 28, 31], [140, 155, 175], AUTO_ROUTING);
    const chart = buildReportCharts(fakeResults([auto, correct, misrouted, alone])).find(
      (candidate) => candidate.id === 'misrouting',
    );
    assert.ok(chart);
    const labels = ['io-alone', 'cpu-on-io-lane', 'cpu-on-cpu-lane', 'auto'].map((label) =>
      chart.svg.indexOf(`>${label}<`),
    );
    assert.ok(
      labels.every((index) => index >= 0),
      `every routing is labelled: ${labels.join(', ')}`,
    );
    assert.deepEqual(
      [...labels].sort((a, b) => a - b),
      labels,
      'in the order compared',
    );
    assert.match(chart.caption, /profile "auto"/);
  });

  test('report.html shows the conclusion with its code and bold, not raw Markdown', () => {
    const auto = routingCell('auto', [24, 28, 31], [140, 155, 175], AUTO_ROUTING);
    const html = renderHtmlReport(buildReportParts(fakeResults([alone, misrouted, correct, auto])));
    assert.match(
      html,
      /Submitted with <code>profile: &#34;auto&#34;<\/code>, the api sent <strong>io\.sleep<\/strong>/,
    );
    assert.doesNotMatch(html, /`/);
  });
});
