/**
 * `switchyard lab advise --replay` end to end: advice for a rate this machine can carry is applied to
 * a real local stack (api, compute, io-consumer processes, Redis), the rate is replayed as Poisson
 * arrivals, and the measured p99 is compared with the target and the model's prediction.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adviseCapacity, capacityInputs, formatReplay, replayAdvice, summarizeCell } from '@switchyard/lab';
import { cpuSeries, fakeResults, fakeRun, fakeSpec } from './lab-fixtures';

/** Lab results as a quiet 2-core run gives them: 30 ms CPU jobs, 50 ms io jobs at 1 ms of CPU each. */
function labResults() {
  const io = [10, 100].map((concurrency) =>
    summarizeCell(
      fakeSpec(`io/sleep/c${concurrency}/r1`, {
        experiment: 'io',
        series: 'io.sleep',
        model: 'event-loop',
        task: 'io.sleep',
        perReplica: concurrency,
      }),
      [
        fakeRun(concurrency * 15, {
          meanRunMs: 52,
          consumers: [
            {
              service: 'io-consumer',
              replica: 1,
              pid: 1,
              cpuUtilizationPercent: (concurrency * 15 * 1) / 20,
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
  return fakeResults([...cpuSeries('worker-threads', [33, 62], 30), ...io], {
    cpuJob: { task: 'cpu.primes', payload: { limit: 2_000_000 }, calibratedRunMs: 30 },
  });
}

test(
  'advice for a modest rate, applied to the local stack and replayed, meets its p99 target',
  { timeout: 180_000 },
  async (t) => {
    const results = labResults();
    const p99Ms = 2000;
    const advice = adviseCapacity(capacityInputs(results), { cpuRatePerSec: 8, ioRatePerSec: 40, p99Ms });
    assert.equal(advice.lanes.length, 2, advice.refused.join('; '));
    const replay = await replayAdvice(advice, results, { seconds: 8, p99Ms });
    t.diagnostic(formatReplay(replay, p99Ms));
    for (const lane of replay.lanes) {
      const expected = (lane.lane === 'cpu' ? 8 : 40) * 8;
      // Poisson counts: within 4 standard deviations of rate × seconds.
      assert.ok(
        Math.abs(lane.jobs - expected) < 4 * Math.sqrt(expected) + 1,
        `${lane.lane}: ${lane.jobs} jobs`,
      );
      assert.equal(lane.failed, 0, `${lane.lane}: no failed jobs`);
      assert.ok(lane.measuredP99Ms > 0);
    }
    const missed = replay.lanes.filter((lane) => !lane.met);
    if (missed.length > 0 && replay.busy) {
      t.skip(
        `target missed on a busy machine (${replay.foreignCpuPercentOfCore?.toFixed(0)} % of a core foreign)`,
      );
      return;
    }
    assert.deepEqual(
      missed.map((lane) => lane.lane),
      [],
      formatReplay(replay, p99Ms),
    );
  },
);
