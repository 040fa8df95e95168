/**
 * The busy-machine flag end to end, as a user meets it: the real `switchyard lab` CLI on a small plan
 * (the quick misrouting cells) against a real local stack, once with a CPU-burning process beside it
 * (every cell flagged) and once without (no cell flagged — when the machine is quiet enough to say).
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { test } from 'node:test';
import {
  BUSY_FOREIGN_CPU_PERCENT_OF_CORE,
  canMeasureForeignCpu,
  foreignCpuPercentOfCore,
  sampleForeignCpu,
  type LabResults,
} from '@switchyard/lab';

const LAB_MAIN = path.resolve(__dirname, '../../apps/lab/src/main.js');
const SMALL_PLAN = ['--quick', '--only', 'misrouting', '--repeat', '2', '--max-repeat', '2'];

async function runLab(label: string): Promise<{ stdout: string; results: LabResults; markdown: string }> {
  const out = mkdtempSync(path.join(os.tmpdir(), `switchyard-lab-${label}-`));
  const { stdout } = await promisify(execFile)(process.execPath, [LAB_MAIN, ...SMALL_PLAN, '--out', out], {
    timeout: 240_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return {
    stdout,
    results: JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as LabResults,
    markdown: readFileSync(path.join(out, 'report.md'), 'utf8'),
  };
}

/** Foreign CPU of the whole machine (this test process aside) over a few seconds, in % of one core. */
async function machineForeignCpu(): Promise<number> {
  const start = sampleForeignCpu([]);
  await sleep(3000);
  return foreignCpuPercentOfCore(start, sampleForeignCpu([]));
}

const describeCells = (results: LabResults) =>
  results.cells
    .map((cell) => `${cell.id}: ${cell.foreignCpuPercentOfCore?.toFixed(0)} %${cell.busy ? ' busy' : ''}`)
    .join(', ');

test(
  'with a CPU-burning process beside the stack, every cell is flagged busy in results, table and conclusions',
  { timeout: 300_000, skip: canMeasureForeignCpu() ? false : 'no /proc on this machine' },
  async (t) => {
    const burner = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
    try {
      const { stdout, results, markdown } = await runLab('busy');
      t.diagnostic(describeCells(results));
      assert.equal(results.partial, false, results.partialReason);
      assert.ok(results.cells.length >= 4, 'the quick misrouting cells, auto included');
      for (const cell of results.cells) {
        assert.equal(cell.error, undefined, `${cell.id} failed: ${cell.error}`);
        assert.ok(
          (cell.foreignCpuPercentOfCore ?? 0) > BUSY_FOREIGN_CPU_PERCENT_OF_CORE && cell.busy,
          `${cell.id} is flagged busy (${describeCells(results)})`,
        );
        assert.match(markdown, new RegExp(`\\| ${cell.id} \\|.*BUSY \\|`));
      }
      const cells = results.cells.length;
      assert.ok(
        stdout.includes(
          `Busy machine: ${cells} of ${cells} cells ran while other processes took more than 25 % of one core`,
        ),
        stdout,
      );
    } finally {
      burner.kill('SIGKILL');
    }
  },
);

test(
  'on a quiet machine no cell is flagged (skipped, with the reason, when the machine is busy already)',
  { timeout: 300_000, skip: canMeasureForeignCpu() ? false : 'no /proc on this machine' },
  async (t) => {
    // Other people's work on a shared machine is foreign CPU too: only a quiet machine can show "not flagged".
    const before = await machineForeignCpu();
    if (before > BUSY_FOREIGN_CPU_PERCENT_OF_CORE / 2) {
      t.skip(`the machine is busy before the run: other processes take ${before.toFixed(0)} % of a core`);
      return;
    }
    const { results, markdown } = await runLab('quiet');
    t.diagnostic(`before: ${before.toFixed(0)} %; ${describeCells(results)}`);
    for (const cell of results.cells) assert.notEqual(cell.foreignCpuPercentOfCore, undefined, cell.id);
    const flagged = results.cells.filter((cell) => cell.busy);
    if (flagged.length > 0) {
      const after = await machineForeignCpu();
      if (after > BUSY_FOREIGN_CPU_PERCENT_OF_CORE / 2) {
        t.skip(
          `the machine became busy during the run: other processes take ${after.toFixed(0)} % of a core now`,
        );
        return;
      }
    }
    assert.deepEqual(
      flagged.map((cell) => cell.id),
      [],
      `no cell flagged on a quiet machine (${describeCells(results)})`,
    );
    // The table legend names BUSY; a flagged cell reads "<n> % BUSY".
    assert.doesNotMatch(markdown, /\d % BUSY/);
  },
);
