/**
 * `switchyard lab advise`: the Erlang C maths against known values, the advice drawn from lab results,
 * and the values file rendered by the real Helm chart.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  erlangC,
  fewestServersFor,
  mmcMeanWait,
  mmcResponseTimeQuantile,
  mmcResponseTimeTail,
} from '@switchyard/stats';
import { adviseCapacity, capacityInputs, renderHelmValues, summarizeCell } from '@switchyard/lab';
import { cpuSeries, fakeResults, fakeRun, fakeSpec } from './lab-fixtures';
import { renderChart } from '../deploy/support/helm-cli';
import { envValue, podOwners } from '../deploy/support/kube-object';
import { chartCiValuesDir } from '../deploy/support/repo-paths';

describe('Erlang C and the M/M/c response time', () => {
  test('Erlang C matches hand-computed values', () => {
    assert.equal(erlangC(1, 0.5), 0.5, 'M/M/1: P(wait) = ρ');
    assert.ok(Math.abs(erlangC(2, 1) - 1 / 3) < 1e-12, 'c = 2, a = 1 → 1/3');
    assert.ok(Math.abs(erlangC(3, 2) - 4 / 9) < 1e-12, 'c = 3, a = 2 → 4/9');
    // Call-centre table value: 10 agents, 8 erlangs → P(wait) ≈ 0.4092.
    assert.ok(Math.abs(erlangC(10, 8) - 0.409) < 0.001, String(erlangC(10, 8)));
    assert.equal(erlangC(4, 4), 1, 'an unstable queue always waits');
    assert.ok(erlangC(500, 450) > 0 && erlangC(500, 450) < 1, 'no overflow with hundreds of servers');
  });

  test('M/M/1 response time is exponential at μ − λ', () => {
    const [lambda, mu] = [8, 10];
    assert.ok(Math.abs(mmcMeanWait(1, lambda, mu) - lambda / mu / (mu - lambda)) < 1e-12);
    assert.ok(Math.abs(mmcResponseTimeTail(1, lambda, mu, 0.5) - Math.exp(-(mu - lambda) * 0.5)) < 1e-12);
    const p99 = mmcResponseTimeQuantile(1, lambda, mu, 0.99);
    assert.ok(Math.abs(p99 - Math.log(100) / (mu - lambda)) < 1e-9, String(p99));
  });

  test('more servers shorten the tail; the fewest that meet a target are found', () => {
    const tails = [3, 4, 6].map((servers) => mmcResponseTimeQuantile(servers, 80, 30, 0.99));
    assert.ok(tails[0] > tails[1] && tails[1] > tails[2], tails.join(' > '));
    const servers = fewestServersFor(80, 30, 0.25, 0.99) as number;
    assert.ok(mmcResponseTimeQuantile(servers, 80, 30, 0.99) <= 0.25);
    assert.ok(mmcResponseTimeQuantile(servers - 1, 80, 30, 0.99) > 0.25);
    assert.equal(fewestServersFor(10, 30, 0.1, 0.99), undefined, 'service alone has p99 ln(100)/μ ≈ 153 ms');
    assert.equal(mmcResponseTimeQuantile(2, 80, 30, 0.99), Infinity);
  });
});

/** io.sleep cells with consumer CPU: 2 % of 2 cores over 1 s for 40 jobs = 1 ms per job. */
function ioCells() {
  return [1, 10, 100].map((concurrency) =>
    summarizeCell(
      fakeSpec(`io/sleep/c${concurrency}/r1`, {
        experiment: 'io',
        series: 'io.sleep',
        model: 'event-loop',
        task: 'io.sleep',
        perReplica: concurrency,
      }),
      [
        fakeRun(concurrency * 18, {
          meanRunMs: 50,
          consumers: [
            {
              service: 'io-consumer',
              replica: 1,
              pid: 1,
              cpuUtilizationPercent: 2,
              peakRssBytes: 1,
              eventLoopDelayP50Ms: 1,
              eventLoopDelayP99Ms: 2,
              eventLoopUtilization: 0.1,
            },
          ],
        }),
      ],
      'cpu.primes',
    ),
  );
}

describe('capacity advice from lab results', () => {
  const results = fakeResults([
    ...cpuSeries('worker-threads', [33, 60], 30),
    ...cpuSeries('processes', [33, 58], 30),
    ...ioCells(),
  ]);

  test('reads service time, efficiency and CPU per job from the cells', () => {
    const inputs = capacityInputs(results);
    assert.equal(inputs.cpu?.model, 'worker-threads', 'threads win a tie with processes');
    assert.equal(inputs.cpu?.serviceMs, 30);
    assert.ok(Math.abs((inputs.cpu?.efficiency ?? 0) - 60 / 33 / 2) < 1e-9);
    assert.ok(Math.abs((inputs.io?.cpuMsPerJob ?? 0) - 1) < 1e-9);
  });

  test('recommends replicas and pool sizes that meet the target in the model, and says why', () => {
    const advice = adviseCapacity(capacityInputs(results), {
      cpuRatePerSec: 100,
      ioRatePerSec: 900,
      p99Ms: 300,
    });
    const cpu = advice.lanes.find((lane) => lane.lane === 'cpu');
    const io = advice.lanes.find((lane) => lane.lane === 'io');
    assert.ok(cpu && io);
    assert.ok(cpu.predictedP99Ms <= 300 && cpu.utilization < 1);
    assert.equal(cpu.perReplica, 2, 'a pool fills the pod’s 2 cores');
    assert.ok(cpu.replicas * cpu.perReplica * (1000 / 30) * (60 / 66) > 100, 'enough slots for the rate');
    assert.equal(cpu.cpuRequestMillicores, 2000);
    assert.equal(io.replicas, 2, '900 jobs/s at 1 ms CPU each: two loops at 70 %');
    assert.ok(io.predictedP99Ms <= 300);
    assert.match(advice.model.join(' '), /M\/M\/c with Erlang C/);
    assert.ok(
      cpu.reasoning.some((line) => /efficiency 91 % at 2 workers/.test(line)),
      cpu.reasoning.join('\n'),
    );
    assert.ok(!cpu.reasoning.some((line) => line.startsWith('WARNING')), 'no warning for quiet cells');
    const busyResults = fakeResults(results.cells.map((cell) => ({ ...cell, busy: true })));
    const busyAdvice = adviseCapacity(capacityInputs(busyResults), { cpuRatePerSec: 100, p99Ms: 300 });
    assert.match(
      busyAdvice.lanes[0].reasoning[0],
      /^WARNING: cpu\/worker-threads\/p1\/r1, .* ran on a busy machine/,
    );
    const refused = adviseCapacity(capacityInputs(results), { cpuRatePerSec: 10, p99Ms: 50 });
    assert.match(refused.refused[0], /cpu lane: a p99 of 50 ms is out of reach/);
  });

  test('the values file renders with the real chart (helm template)', async () => {
    const advice = adviseCapacity(capacityInputs(results), {
      cpuRatePerSec: 100,
      ioRatePerSec: 900,
      p99Ms: 300,
    });
    const yaml = renderHelmValues(advice, ['test']);
    assert.match(yaml, /Erlang C/);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'switchyard-advice-'));
    writeFileSync(path.join(dir, 'advice.yaml'), yaml);
    const objects = await renderChart([
      '-f',
      path.join(chartCiValuesDir, 'default-values.yaml'),
      '-f',
      path.join(dir, 'advice.yaml'),
    ]);
    const deployment = (component: string) => {
      const owner = podOwners(objects).find(
        (entry) =>
          entry.object.kind === 'Deployment' && entry.podLabels['app.kubernetes.io/component'] === component,
      );
      assert.ok(owner, `a ${component} Deployment`);
      const container = owner.podSpec.containers[0];
      return { replicas: (owner.object.spec as { replicas?: number }).replicas, container };
    };
    const cpu = advice.lanes.find((lane) => lane.lane === 'cpu');
    const io = advice.lanes.find((lane) => lane.lane === 'io');
    const compute = deployment('compute');
    assert.equal(compute.replicas, cpu?.replicas);
    assert.equal(envValue(compute.container, 'POOL_SIZE'), String(cpu?.perReplica));
    assert.equal(envValue(compute.container, 'EXECUTION_MODEL'), cpu?.executionModel);
    assert.equal(
      String(compute.container.resources?.requests?.cpu),
      String((cpu?.cpuRequestMillicores ?? 0) / 1000),
    );
    assert.ok(compute.container.resources?.requests?.memory, 'the memory request stays from the chart');
    const ioConsumer = deployment('io-consumer');
    assert.equal(ioConsumer.replicas, io?.replicas);
    assert.equal(envValue(ioConsumer.container, 'IO_CONCURRENCY'), String(io?.perReplica));
  });
});
