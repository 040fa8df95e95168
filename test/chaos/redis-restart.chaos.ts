import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { test } from 'node:test';
import { startChaosStack } from './support/chaos-stack';
import { printFigure, seconds } from './support/figure';
import { settleJobs } from './support/job-outcomes';
import { startSubmitLoad } from './support/submit-load';

const OUTAGE_MS = 10_000;

// Redis is crashed (SIGKILL: no shutdown, no final flush) and started again on the same port and AOF
// dir, while clients keep submitting. What a user must never see: a 202 for a job that then never
// runs, or a 500. Submissions while Redis is away may be refused with 503 (and are not counted as
// accepted); their clients retry.
test('Redis crashed for 10 s under load and restarted from its AOF: 0 accepted jobs lost, 503 not 500', async (t) => {
  const chaos = await startChaosStack({
    services: [
      { name: 'api', app: 'api' },
      { name: 'io-consumer', app: 'io-consumer' },
      { name: 'compute', app: 'compute', env: { EXECUTION_MODEL: 'worker-threads' } },
    ],
  });
  t.after(() => chaos.stop());

  const load = startSubmitLoad(chaos.client, (sequence) =>
    sequence % 2 === 0
      ? { task: 'io.sleep', payload: { ms: 100 } }
      : { task: 'diag.spin', payload: { ms: 5 } },
  );
  await delay(4_000);
  await chaos.redis.halt('SIGKILL');
  const outageStart = Date.now();
  await delay(OUTAGE_MS);
  await chaos.redis.resume();
  const outageEnd = Date.now();
  await delay(5_000);
  const submissions = await load.stop();

  const accepted = submissions.flatMap((submission) => (submission.id ? [submission.id] : []));
  const outcomes = await settleJobs(chaos.client, accepted, 120_000);
  const lost = accepted.length - outcomes.count('completed');
  const refused = submissions.filter((submission) => submission.status === 503);
  const serverErrors = submissions.filter(
    (submission) => submission.status !== undefined && submission.status >= 500 && submission.status !== 503,
  );
  const otherRefusals = submissions.filter(
    (submission) => submission.status !== undefined && submission.status >= 400 && submission.status < 500,
  );
  const unanswered = submissions.filter((submission) => submission.status === undefined);
  const acceptedAfter = submissions.filter((submission) => submission.id && submission.sentAt >= outageEnd);
  const slowest503 = Math.max(0, ...refused.map((submission) => submission.answeredMs));
  printFigure(
    `Redis SIGKILLed ${seconds(OUTAGE_MS)} under load, restarted from its AOF (appendfsync always): ` +
      `${lost} of ${accepted.length} accepted jobs lost; ${refused.length} submissions refused with 503 ` +
      `(slowest answer ${seconds(slowest503)}), ${serverErrors.length} other 5xx, ${otherRefusals.length} 4xx, ` +
      `${unanswered.length} unanswered; Redis back after ${seconds(outageEnd - outageStart)}`,
  );

  assert.equal(serverErrors.length, 0, `5xx other than 503: ${serverErrors.map((s) => s.status).join(', ')}`);
  assert.equal(unanswered.length, 0, 'every submission was answered');
  assert.equal(otherRefusals.length, 0, 'no valid submission was refused as a client error');
  assert.ok(refused.length > 0, 'the load went on through the outage, and was refused with 503');
  assert.ok(slowest503 < 1_000, `a 503 must come within 1 s while Redis is down (slowest ${slowest503} ms)`);
  assert.ok(acceptedAfter.length > 0, 'submissions are accepted again once Redis is back');
  assert.equal(outcomes.missing.length, 0, `accepted jobs gone: ${outcomes.missing.slice(0, 5).join(', ')}`);
  assert.equal(
    outcomes.unfinished.length,
    0,
    `accepted jobs never run: ${outcomes.unfinished.slice(0, 5).join(', ')}`,
  );
  assert.equal(lost, 0, 'every accepted job completed');
});
