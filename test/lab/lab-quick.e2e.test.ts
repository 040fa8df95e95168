/**
 * `switchyard lab --quick` end to end, as a user runs it: the real CLI starts a real local stack
 * (api, io-consumer, compute as OS processes, Redis), measures every quick cell and writes the report,
 * which then opens in headless Chromium.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { buildLocalPlan, type LabResults } from '@switchyard/lab';

const LAB_MAIN = path.resolve(__dirname, '../../apps/lab/src/main.js');
const CHROMIUM = '/usr/bin/chromium';

test(
  'lab --quick measures every quick cell on the local stack and writes a report that opens in Chromium',
  { timeout: 600_000 },
  async (t) => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'switchyard-lab-e2e-'));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [LAB_MAIN, '--quick', '--out', out, '--log-dir', path.join(out, 'logs')],
      {
        timeout: 540_000,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    assert.match(stdout, /CPU-bound:/, 'the summary prints the conclusions');
    assert.match(stdout, /report\.html/);

    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as LabResults;
    assert.equal(results.partial, false, results.partialReason);
    assert.notEqual(results.machine.redis.split(' ')[0], 'unknown');
    const planned = buildLocalPlan({ quick: true, cores: results.machine.cores }).map((cell) => cell.id);
    assert.deepEqual(
      results.cells.map((cell) => cell.id),
      planned,
      'every quick cell is present, in plan order',
    );
    for (const cell of results.cells) {
      assert.equal(cell.error, undefined, `${cell.id} failed: ${cell.error}`);
      assert.ok(cell.throughputPerSec.median > 0, `${cell.id} throughput > 0`);
      const { p50, p95, p99 } = cell.latencyMs;
      assert.ok(p50.median <= p95.median && p95.median <= p99.median, `${cell.id} p50 ≤ p95 ≤ p99`);
      assert.ok(
        cell.runs.every((run) => run.failed === 0),
        `${cell.id} had no failed jobs`,
      );
      assert.ok(
        cell.eventLoopDelayP99Ms !== undefined && cell.peakRssBytesPerReplica !== undefined,
        `${cell.id} read the consumers' /stats`,
      );
      if (cell.experiment === 'cpu' || cell.experiment === 'io') {
        assert.equal(typeof cell.efficiency, 'number', `${cell.id} efficiency computed`);
        assert.ok(Number.isFinite(cell.speedup), `${cell.id} speedup computed`);
      }
    }
    assert.ok(results.cpuJob.calibratedRunMs > 0);
    assert.deepEqual([results.options.repeat, results.options.maxRepeat], [3, 3], '--quick: 3 repeats');
    for (const cell of results.cells) {
      const { median, interval } = cell.throughputPerSec;
      assert.equal(cell.runs.length, 3, `${cell.id} ran 3 times`);
      assert.ok(interval.low <= median && median <= interval.high, `${cell.id} median inside its interval`);
      assert.equal(interval.confidence, 0.75, `${cell.id}: 3 runs give min–max at 75 %`);
      assert.equal(typeof cell.foreignCpuPercentOfCore, 'number', `${cell.id} measured foreign CPU`);
      assert.equal(cell.busy, (cell.foreignCpuPercentOfCore ?? 0) > 25, `${cell.id} busy flag`);
    }
    assert.match(stdout, /How far to trust these numbers:/);

    // After its warm-up, "auto" sent every io.sleep job to the io lane and every CPU job to the cpu lane,
    // each by its task's measured ratio.
    const auto = results.cells.find((cell) => cell.id === 'misrouting/auto');
    assert.ok(auto?.warmUp && auto.warmUp.rounds >= 1, 'the auto cell warmed up');
    const routed = auto.runs.flatMap((run) => run.routing ?? []);
    assert.deepEqual(
      [...new Set(routed.map((entry) => `${entry.task} → ${entry.lane} (${entry.reason})`))].sort(),
      [`${results.cpuJob.task} → cpu (measured)`, 'io.sleep → io (measured)'].sort(),
    );
    assert.ok(routed.every((entry) => entry.cpuRatio !== undefined));
    assert.match(stdout, /Submitted with `profile: "auto"`.*the api sent/);

    // The redis experiment: the same three lanes on one Redis and on a 3-master cluster, each lane's
    // keys on a master of its own there, and its redis-servers' CPU measured.
    const onCluster = results.cells.find((cell) => cell.id === 'redis/cluster');
    const placed = onCluster?.lanePlacement ?? [];
    assert.deepEqual(
      placed.map((entry) => entry.lane),
      ['io', 'io2', 'io3'],
    );
    assert.equal(new Set(placed.map((entry) => entry.master)).size, 3, JSON.stringify(placed));
    assert.ok(placed.every((entry) => entry.keys > 0));
    for (const id of ['redis/standalone', 'redis/cluster']) {
      const cell = results.cells.find((candidate) => candidate.id === id);
      assert.ok((cell?.redisCpuPercentOfCore?.median ?? 0) > 0, `${id} measured its Redis's CPU`);
    }
    assert.match(stdout, /One Redis or a cluster:/);

    assert.ok(
      existsSync(CHROMIUM),
      `headless Chromium is needed at ${CHROMIUM}: apt-get install -y chromium`,
    );
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('request', (request) => {
        if (!request.url().startsWith('file:')) problems.push(`network request to ${request.url()}`);
      });
      await page.goto(pathToFileURL(path.join(out, 'report.html')).href);
      assert.match(await page.title(), /Switchyard scaling lab/);
      assert.ok((await page.locator('svg').count()) >= 4, 'cpu, io, latency and misrouting charts');
      assert.ok(
        (await page.locator('svg polyline.series').count()) >= 3,
        'the CPU chart draws a line per model',
      );
      assert.ok(await page.getByText('Event loop vs worker threads vs processes vs pods').isVisible());
      const screenshot = path.join(out, 'report.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      t.diagnostic(`report screenshot: ${screenshot}`);
      assert.deepEqual(problems, [], 'no console errors and no network');
    } finally {
      await browser.close();
    }
  },
);
