import {
  applySpeedups,
  summarizeCell,
  type CellResult,
  type CellSpec,
  type LabResults,
  type RunMeasurement,
} from '@switchyard/lab';

/** One synthetic repeat: a throughput, latencies and optional consumer stats. */
export function fakeRun(throughputPerSec: number, extra: Partial<RunMeasurement> = {}): RunMeasurement {
  const meanRunMs = extra.meanRunMs ?? 45;
  return {
    jobs: 40,
    completed: 40,
    failed: 0,
    throughputPerSec,
    wallMs: 1000,
    latencyMs: { p50: 40, p95: 80, p99: 95 },
    meanQueueWaitMs: 10,
    meanRunMs,
    parallelism: (throughputPerSec * meanRunMs) / 1000,
    byTask: [],
    consumers: [],
    traceIds: [],
    ...extra,
  };
}

export function fakeSpec(id: string, overrides: Partial<CellSpec>): CellSpec {
  return {
    id,
    experiment: 'cpu',
    series: 'cpu/worker-threads',
    label: id,
    model: 'worker-threads',
    task: 'cpu',
    perReplica: 1,
    replicas: 1,
    jobs: [{ job: { kind: 'cpu' }, count: 40 }],
    consumers: [],
    ...overrides,
  };
}

/** A CPU series of one model: throughput per pool size (1, 2, …). */
export function cpuSeries(
  model: 'inline' | 'worker-threads' | 'processes',
  throughputs: number[],
  /** Mean run time of a job, which sets how many jobs were in flight. */
  meanRunMs = 45,
): CellResult[] {
  return throughputs.map((throughput, index) =>
    summarizeCell(
      fakeSpec(`cpu/${model}/p${index + 1}/r1`, { series: `cpu/${model}`, model, perReplica: index + 1 }),
      [0.95, 1, 1.05].map((factor) => fakeRun(throughput * factor, { meanRunMs })),
      'cpu.primes',
    ),
  );
}

export function ioSeries(throughputs: [number, number][]): CellResult[] {
  return throughputs.map(([concurrency, throughput]) =>
    summarizeCell(
      fakeSpec(`io/sleep/c${concurrency}/r1`, {
        experiment: 'io',
        series: 'io.sleep',
        model: 'event-loop',
        task: 'io.sleep',
        perReplica: concurrency,
      }),
      [fakeRun(throughput)],
      'cpu.primes',
    ),
  );
}

export function misroutingPair(
  delayAloneMs: number,
  delayMixedMs: number,
  ioP99AloneMs: number,
  ioP99MixedMs: number,
): CellResult[] {
  const cell = (name: string, delay: number, ioP99: number) =>
    summarizeCell(
      fakeSpec(`misrouting/${name}`, {
        experiment: 'misrouting',
        series: `misrouting/${name}`,
        model: 'event-loop',
        task: 'io.sleep',
        perReplica: 100,
      }),
      [
        fakeRun(500, {
          eventLoopDelayP99Ms: delay,
          byTask: [
            {
              task: 'io.sleep',
              lane: 'io',
              jobs: 400,
              latencyMs: { p50: ioP99 / 2, p95: ioP99 * 0.9, p99: ioP99 },
              meanQueueWaitMs: 5,
              meanRunMs: 20,
            },
          ],
        }),
      ],
      'cpu.primes',
    );
  return [cell('io-alone', delayAloneMs, ioP99AloneMs), cell('cpu-on-io-lane', delayMixedMs, ioP99MixedMs)];
}

export function fakeResults(cells: CellResult[], overrides: Partial<LabResults> = {}): LabResults {
  return {
    schemaVersion: 1,
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:01:00.000Z',
    partial: false,
    options: { quick: true, repeat: 3, maxRepeat: 3, kube: false },
    confidence: { method: 'order-statistic', level: 0.95, relativeHalfWidth: 0.05, busyPercentOfCore: 25 },
    machine: {
      cores: 2,
      cpuModel: 'Test CPU',
      totalMemoryBytes: 8 * 1024 ** 3,
      node: 'v22.0.0',
      redis: '7.0.0',
      os: 'Linux',
      target: 'local',
    },
    cpuJob: { task: 'cpu.primes', payload: { limit: 1_000_000 }, calibratedRunMs: 30 },
    cells: applySpeedups(cells),
    skippedCells: [],
    notes: [],
    ...overrides,
  };
}
