import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { JobProgress } from '@switchyard/contracts';
import { DueProgressWrites, JobProgressWriter } from '../../../libs/consumer/src/job-progress-writer';

/** A job that keeps what is written to it, with the time of each write. */
function recordingJob() {
  const writes: { percent: number; at: number }[] = [];
  return {
    writes,
    async updateProgress(progress: object) {
      writes.push({ percent: (progress as JobProgress).percent, at: performance.now() });
    },
  };
}

describe('JobProgressWriter with the shared DueProgressWrites tick', () => {
  it('writes a report that came early once its interval is up, then at most one per interval', async () => {
    const job = recordingJob();
    const start = performance.now();
    const writer = new JobProgressWriter(job, 200, () => undefined, new DueProgressWrites(20));
    writer.report(10);
    assert.equal(job.writes.length, 0, 'not within the first interval');
    await delay(300);
    assert.deepEqual(
      job.writes.map((write) => write.percent),
      [10],
      'written by the tick, though no report came since',
    );
    const first = job.writes[0]?.at ?? 0;
    assert.ok(first - start >= 199, `written ${first - start} ms after the start, not before the interval`);
    writer.report(20);
    writer.report(30);
    // The first write came 200 to 300 ms after the start, so the next is due 400 ms or later.
    await delay(Math.max(0, start + 390 - performance.now()));
    assert.equal(job.writes.length, 1, 'the next write waits for its interval');
    await delay(300);
    assert.deepEqual(
      job.writes.map((write) => write.percent),
      [10, 30],
      'the latest report',
    );
    writer.stop();
  });

  it('drops a pending report when the attempt stops, and leaves no timer running', async () => {
    const job = recordingJob();
    const writes = new DueProgressWrites(10);
    const writer = new JobProgressWriter(job, 50, () => undefined, writes);
    writer.report(40);
    writer.stop();
    await delay(100);
    assert.deepEqual(job.writes, []);
    // The tick stops once none waits: node --test (run without --test-force-exit) would wait on it.
  });
});
