/**
 * The lab's confidence machinery: the median's order-statistic interval, the rule that stops a cell's
 * repeats, the foreign-CPU measurement (against a real CPU-burning process) and the busy flag.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import {
  binomialHalfCdf,
  BUSY_FOREIGN_CPU_PERCENT_OF_CORE,
  buildReportParts,
  canMeasureForeignCpu,
  deriveConclusions,
  foreignCpuPercentOfCore,
  medianInterval,
  orderStatisticCoverage,
  parseProcessStat,
  parseProcStat,
  renderMarkdownReport,
  sampleForeignCpu,
  summarizeCell,
  wantsAnotherRepeat,
} from '@switchyard/lab';
import { cpuSeries, fakeResults, fakeRun, fakeSpec } from './lab-fixtures';

/** A seeded generator (mulberry32), so the coverage check draws the same samples every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("the median's order-statistic interval", () => {
  test('binomial(n, ½) tail sums match exact values', () => {
    assert.equal(binomialHalfCdf(6, 0), 1 / 64);
    assert.equal(binomialHalfCdf(10, 1), 11 / 1024);
    assert.equal(binomialHalfCdf(10, 2), 56 / 1024);
    assert.equal(binomialHalfCdf(20, 5), 21700 / 2 ** 20);
    assert.equal(binomialHalfCdf(5, 5), 1);
    assert.equal(binomialHalfCdf(5, -1), 0);
  });

  test('picks the textbook ranks: n = 6 → (1, 6), n = 10 → (2, 9), n = 20 → (6, 15)', () => {
    const ranks = (n: number) => {
      const values = Array.from({ length: n }, (_, index) => index + 1);
      const interval = medianInterval(values.reverse());
      return [interval.low, interval.high, Number(interval.confidence.toFixed(4))];
    };
    assert.deepEqual(ranks(6), [1, 6, 0.9688]);
    assert.deepEqual(ranks(10), [2, 9, 0.9785]);
    assert.deepEqual(ranks(20), [6, 15, 0.9586]);
    assert.ok(orderStatisticCoverage(20, 7) < 0.95, 'one rank further in would drop below 95 %');
  });

  test('under 6 values no 95 % interval exists: min–max with its lower confidence', () => {
    assert.deepEqual(medianInterval([5, 9, 7]), { low: 5, high: 9, confidence: 0.75 });
    assert.deepEqual(medianInterval([5, 9, 7, 6, 8]), { low: 5, high: 9, confidence: 0.9375 });
    assert.deepEqual(medianInterval([5]), { low: 5, high: 5, confidence: 0 });
  });

  test('covers the true median of a skewed distribution at least 95 % of the time', () => {
    const random = seeded(12);
    const trueMedian = Math.LN2; // of an exponential with rate 1
    let covered = 0;
    const trials = 4000;
    for (let trial = 0; trial < trials; trial++) {
      const sample = Array.from({ length: 8 }, () => -Math.log(1 - random()));
      const interval = medianInterval(sample);
      if (interval.low <= trueMedian && trueMedian <= interval.high) covered++;
    }
    // The exact coverage for n = 8 is 1 − 2/256 ≈ 99.2 %; 4000 draws put it within about ±0.5 %.
    assert.ok(covered / trials >= 0.98, `covered ${covered} of ${trials}`);
  });
});

describe('when a cell stops repeating', () => {
  const runs = (throughputs: number[]) => throughputs.map((value) => fakeRun(value));

  test('below the minimum it repeats; at the cap it stops', () => {
    assert.equal(wantsAnotherRepeat(runs([100, 100]), 3, 10), true);
    assert.equal(wantsAnotherRepeat(runs([100, 60, 140]), 3, 3), false);
  });

  test('between the two it repeats until the 95 % interval is within ±5 % of the median', () => {
    const steady = [100, 101, 99, 102, 98, 100];
    assert.equal(wantsAnotherRepeat(runs(steady.slice(0, 5)), 3, 10), true, '5 runs: no 95 % interval yet');
    assert.equal(wantsAnotherRepeat(runs(steady), 3, 10), false, '6 steady runs: within ±2 %');
    const noisy = [100, 80, 120, 95, 110, 70];
    assert.equal(wantsAnotherRepeat(runs(noisy), 3, 10), true, 'noisy runs go on to the cap');
    const cell = summarizeCell(fakeSpec('cpu/worker-threads/p1/r1', {}), runs(steady), 'cpu.primes');
    assert.equal(cell.repeatsStoppedBy, 'converged');
    assert.equal(summarizeCell(fakeSpec('x', {}), runs(noisy), 'cpu.primes').repeatsStoppedBy, 'cap');
  });
});

describe('foreign CPU and the busy flag', () => {
  test('parses /proc/<pid>/stat with a command name holding spaces and parentheses', () => {
    const stat =
      '4242 (node (lab) x) S 4000 4242 4000 0 -1 4194560 1000 0 0 0 250 50 7 3 20 0 11 0 100 1000 100';
    assert.deepEqual(parseProcessStat(stat), { ppid: 4000, selfTicks: 300, reapedChildrenTicks: 10 });
    const proc =
      'cpu  100 5 40 800 10 2 3 7 0 0\ncpu0 50 2 20 400 5 1 1 3 0 0\ncpu1 50 3 20 400 5 1 2 4 0 0\n';
    assert.deepEqual(parseProcStat(proc), { busyTicks: 152, totalTicks: 967, cores: 2 });
  });

  test('a CPU-burning process is foreign unless it descends from one of the stack’s own pids', async (t) => {
    if (!canMeasureForeignCpu()) return t.skip('no /proc on this machine');
    // A parent that idles and a child of it that burns: as a pool child burns under its consumer.
    const parent = spawn(
      process.execPath,
      [
        '-e',
        "require('child_process').spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'inherit' }); setInterval(() => {}, 1000);",
      ],
      { stdio: 'ignore' },
    );
    const parentPid = parent.pid as number;
    let burnerPid: number | undefined;
    try {
      await sleep(500);
      burnerPid = Number(
        readFileSync(`/proc/${parentPid}/task/${parentPid}/children`, 'utf8').trim().split(' ')[0],
      );
      const burnerTicks = () =>
        parseProcessStat(readFileSync(`/proc/${burnerPid}/stat`, 'utf8'))?.selfTicks ?? 0;
      const [foreignStart, ownStart, burnedStart] = [
        sampleForeignCpu([]),
        sampleForeignCpu([parentPid]),
        burnerTicks(),
      ];
      await sleep(1500);
      const [foreignEnd, ownEnd, burnedEnd] = [
        sampleForeignCpu([]),
        sampleForeignCpu([parentPid]),
        burnerTicks(),
      ];
      const wallTicksPerCore = (foreignEnd.totalTicks - foreignStart.totalTicks) / foreignEnd.cores;
      const burnerPercent = (100 * (burnedEnd - burnedStart)) / wallTicksPerCore;
      const foreign = foreignCpuPercentOfCore(foreignStart, foreignEnd);
      const foreignWithBurnerOwn = foreignCpuPercentOfCore(ownStart, ownEnd);
      t.diagnostic(
        `burner ${burnerPercent.toFixed(0)} % of a core; foreign ${foreign.toFixed(0)} % counting it, ${foreignWithBurnerOwn.toFixed(0)} % not`,
      );
      assert.ok(burnerPercent > 10, `the burner ran (${burnerPercent.toFixed(0)} % of a core)`);
      assert.ok(foreign >= burnerPercent * 0.8, 'the burner is counted as foreign');
      // The two readings differ by the burner's CPU, give or take the other processes' changes.
      assert.ok(
        foreign - foreignWithBurnerOwn > burnerPercent * 0.5,
        'as a descendant of one of the stack’s own pids, the burner is no longer foreign',
      );
    } finally {
      if (burnerPid) process.kill(burnerPid, 'SIGKILL');
      parent.kill('SIGKILL');
    }
  });

  test('a cell is flagged busy when foreign CPU over its runs averages above the threshold', () => {
    assert.equal(BUSY_FOREIGN_CPU_PERCENT_OF_CORE, 25);
    const cell = (foreign: [number, number][]) =>
      summarizeCell(
        fakeSpec('cpu/processes/p2/r1', {}),
        foreign.map(([percent, wallMs]) => fakeRun(40, { foreignCpuPercentOfCore: percent, wallMs })),
        'cpu.primes',
      );
    assert.equal(
      cell([
        [10, 1000],
        [12, 1000],
      ]).busy,
      false,
    );
    const busy = cell([
      [10, 1000],
      [90, 1000],
    ]);
    assert.equal(busy.busy, true);
    assert.equal(busy.foreignCpuPercentOfCore, 50);
    assert.equal(
      cell([
        [5, 3000],
        [80, 1000],
      ]).busy,
      false,
      'weighted by wall time: 23.75 %',
    );
    const unmeasured = summarizeCell(fakeSpec('x', {}), [fakeRun(40)], 'cpu.primes');
    assert.equal(unmeasured.busy, false);
    assert.equal(unmeasured.foreignCpuPercentOfCore, undefined);
  });

  test('the report flags busy cells and names them in the conclusions', () => {
    const cells = cpuSeries('worker-threads', [20, 38]).map((cell, index) =>
      index === 1
        ? { ...cell, busy: true, foreignCpuPercentOfCore: 80 }
        : { ...cell, foreignCpuPercentOfCore: 3 },
    );
    const markdown = renderMarkdownReport(buildReportParts(fakeResults(cells)));
    assert.match(markdown, /\| cpu\/worker-threads\/p2\/r1 \|.*\| 80 % BUSY \|/);
    assert.match(markdown, /\| cpu\/worker-threads\/p1\/r1 \|.*\| 3 % \|/);
    assert.match(markdown, /\*\*Busy machine\*\*: 1 of 2 cells .*cpu\/worker-threads\/p2\/r1 80 %/);
    assert.match(buildReportParts(fakeResults(cells)).charts[0].svg, /class="flagged"/);
  });
});

describe('conclusions rank only what the intervals separate', () => {
  const findings = (results: ReturnType<typeof fakeResults>) =>
    deriveConclusions(results)
      .flatMap((conclusion) => conclusion.findings)
      .join('\n');

  test('overlapping peaks are "not distinguishable"; separated ones are ranked', () => {
    const close = fakeResults([
      ...cpuSeries('worker-threads', [20, 38]),
      ...cpuSeries('processes', [20, 36]),
    ]);
    assert.match(
      findings(close),
      /Best for CPU-bound work here: not distinguishable between \*\*worker-threads\*\* \(38\.0 jobs\/s \[36\.1–39\.9\]\) and \*\*processes\*\* \(36\.0 jobs\/s \[34\.2–37\.8\]\)/,
    );
    const apart = fakeResults([
      ...cpuSeries('worker-threads', [20, 38]),
      ...cpuSeries('processes', [20, 30]),
    ]);
    assert.match(
      findings(apart),
      /Best for CPU-bound work here: \*\*worker-threads\*\* at 38\.0 jobs\/s \[36\.1–39\.9\]; then processes 30\.0/,
    );
  });

  test('a gain whose intervals overlap is not called scaling', () => {
    const wide = fakeResults(
      [10, 16].map((throughput, index) =>
        summarizeCell(
          fakeSpec(`cpu/processes/p${index + 1}/r1`, {
            series: 'cpu/processes',
            model: 'processes',
            perReplica: index + 1,
          }),
          [0.5, 1, 1.5].map((factor) => fakeRun(throughput * factor)),
          'cpu.primes',
        ),
      ),
    );
    assert.match(
      findings(wide),
      /\*\*processes\*\* not distinguishable from flat: .*\(1\.60×, the intervals overlap\)/,
    );
    assert.doesNotMatch(findings(wide), /processes\*\* scaled/);
  });
});
