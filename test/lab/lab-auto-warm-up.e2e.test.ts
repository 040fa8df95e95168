/**
 * The auto-routing cell on an api that has measured nothing yet: its warm-up must go on past the first
 * round (routed by the tasks' declared profiles) until "auto" routes by measurement, and the measured
 * runs then find io.sleep on the io lane and the CPU job on the cpu lane, each by its ratio. Real
 * apps as OS processes on a fresh key prefix, driven by the real runner through a one-cell target.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  buildLocalPlan,
  runLab,
  type CellSpec,
  type LabTarget,
  type MachineInfo,
  type PreparedCell,
} from '@switchyard/lab';
import type { LocalStack } from '@switchyard/local-stack';
import { startLabTestStack } from './lab-test-stack';
import { RecordingProgress } from './silent-progress';

/** The plan's auto cell, with fewer measured jobs: the warm-up is what this test is about. */
function smallAutoCell(): CellSpec {
  const auto = buildLocalPlan({ quick: true, cores: 2, only: ['misrouting'] }).find(
    (cell) => cell.id === 'misrouting/auto',
  );
  assert.ok(auto?.warmUp);
  return { ...auto, jobs: auto.jobs.map((mix) => ({ ...mix, count: Math.min(mix.count, 40) })) };
}

/** Runs one cell on a stack started by the test (the lab's own target would start another api). */
class OneCellTarget implements LabTarget {
  readonly kind = 'local';
  readonly measuresHostCpu = false;
  readonly notes: string[] = [];

  constructor(
    private readonly stack: LocalStack,
    private readonly cell: CellSpec,
  ) {}

  async describe(): Promise<MachineInfo> {
    return {
      cores: 2,
      cpuModel: 'test',
      totalMemoryBytes: 0,
      node: process.version,
      redis: 'test',
      os: 'test',
      target: 'local',
    };
  }

  async plan(): Promise<CellSpec[]> {
    return [this.cell];
  }

  async prepare(): Promise<PreparedCell> {
    return {
      apiUrl: this.stack.apiUrl,
      consumers: this.stack.services
        .filter((service) => service.app !== 'api')
        .map((service) => ({
          service: service.name,
          replica: service.replica,
          statsUrl: `${service.baseUrl}/stats`,
        })),
    };
  }

  async reset(): Promise<void> {}
  async close(): Promise<void> {}
}

let stack: LocalStack;
let stopStack: (() => Promise<void>) | undefined;

before(async () => {
  ({ stack, stop: stopStack } = await startLabTestStack(100));
});

after(() => stopStack?.());

test(
  'from nothing measured, the warm-up runs until "auto" routes every task by its measured ratio',
  { timeout: 180_000 },
  async (t) => {
    const progress = new RecordingProgress();
    const results = await runLab({
      target: new OneCellTarget(stack, smallAutoCell()),
      options: { quick: true, repeat: 2 },
      progress,
      signal: new AbortController().signal,
    });
    const [cell] = results.cells;
    assert.equal(cell?.error, undefined, cell?.error);
    t.diagnostic(`warm-up ${JSON.stringify(cell.warmUp)}; routing ${JSON.stringify(cell.runs[0]?.routing)}`);
    // io.sleep had no measured attempt before the first round, so that round took its declared profile.
    assert.ok(cell.warmUp && cell.warmUp.rounds >= 2, `warm-up rounds: ${cell.warmUp?.rounds}`);
    assert.equal(cell.warmUp.jobs, cell.warmUp.rounds * 48);
    assert.ok(
      progress.lines.some((line) => /"auto" routed by measurement after \d+ warm-up round/.test(line)),
    );
    for (const run of cell.runs) {
      assert.equal(run.failed, 0);
      assert.deepEqual(
        (run.routing ?? []).map(({ task, lane, reason }) => `${task} → ${lane} (${reason})`).sort(),
        ['cpu.primes → cpu (measured)', 'io.sleep → io (measured)'],
      );
      const ratio = (task: string) => run.routing?.find((entry) => entry.task === task)?.cpuRatio ?? NaN;
      assert.ok(
        ratio('io.sleep') < ratio('cpu.primes'),
        `io.sleep ${ratio('io.sleep')} < cpu.primes ${ratio('cpu.primes')}`,
      );
    }
  },
);
