import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobRequest } from '@switchyard/client';
import { pollUntil } from '@switchyard/polling';
import { startChaosStack } from './support/chaos-stack';
import { printFigure } from './support/figure';
import { settleJobs } from './support/job-outcomes';
import { assertCoversJobs, countPerJob, isExecutionStart, readLaneEvents } from './support/lane-events';
import { startRecordingServer } from './support/recording-server';

const JOBS = 1_000;
const IO_CONCURRENCY = 64;
const POOL_SIZE = 2;
/** Each lane must have finished this many jobs, and not all, when the consumers are killed. */
const KILL_AFTER_COMPLETED = 150;

// What "ran twice" means here, lane by lane, from evidence outside the consumers' own accounts:
// - io: every io job is an `io.http` call to a local server that counts requests per job as they
//   arrive (the server answers after 0.3–1.5 s, so it is io.sleep with a side effect). Two requests
//   for one job means its handler ran twice.
// - cpu: a CPU task has no outside effect to count, so the ledger is the record a compute consumer
//   writes to the job the moment its executor hands the job to a thread (progress 0 with the thread's
//   id), read back from the lane's BullMQ event stream. That write is sent as the thread takes the
//   task, so only a kill in that instant goes uncounted; BullMQ's `active` events (taken by a consumer)
//   bound the count from above and are printed beside it.
test('SIGKILL io-consumer and compute mid-run: every job completes, only jobs in flight run twice', async (t) => {
  const ledger = await startRecordingServer();
  t.after(() => ledger.close());
  const chaos = await startChaosStack({
    services: [
      { name: 'api', app: 'api' },
      { name: 'io-consumer', app: 'io-consumer', env: { IO_CONCURRENCY: String(IO_CONCURRENCY) } },
      { name: 'compute', app: 'compute', env: { EXECUTION_MODEL: 'worker-threads' } },
    ],
    env: {
      POOL_SIZE: String(POOL_SIZE),
      // The bare host matches today's name-only allowlist; host:port and the CIDR, the SSRF rules to come.
      HTTP_ALLOWED_HOSTS: `${ledger.hostPort},127.0.0.1`,
      HTTP_ALLOWED_CIDRS: '127.0.0.1/32',
    },
  });
  t.after(() => chaos.stop());

  const tokens = new Map<number, string>();
  const jobs: JobRequest[] = Array.from({ length: JOBS }, (_, index) => {
    if (index % 2 === 1) return { task: 'diag.spin', payload: { ms: 25 } };
    tokens.set(index, `job-${index}`);
    return { task: 'io.http', payload: { url: ledger.urlFor(`job-${index}`, 300 + ((index * 37) % 1_200)) } };
  });
  const ids = await chaos.client.submitMany(jobs);
  const ioIds = ids.filter((_, index) => tokens.has(index));
  const cpuIds = ids.filter((_, index) => !tokens.has(index));

  await pollUntil(
    async () => {
      const lanes = await chaos.client.queues();
      const io = lanes.find((lane) => lane.lane === 'io');
      const cpu = lanes.find((lane) => lane.lane === 'cpu');
      assert.ok(io && cpu);
      assert.ok(
        io.completed < ioIds.length && cpu.completed < cpuIds.length,
        `a lane finished before the kill (io ${io.completed}, cpu ${cpu.completed}): the scenario must kill mid-run`,
      );
      return io.completed >= KILL_AFTER_COMPLETED && cpu.completed >= KILL_AFTER_COMPLETED;
    },
    { timeoutMs: 60_000, what: `${KILL_AFTER_COMPLETED} jobs completed on each lane` },
  );
  const inFlightRequests = ledger.openRequests;
  const killed = ['io-consumer', 'compute'].map((name) => chaos.service(name).process);
  for (const process_ of killed) process_.signal('SIGKILL');
  await Promise.all(killed.map((process_) => process_.whenExited()));
  await Promise.all([chaos.restart('io-consumer'), chaos.restart('compute')]);

  // Jobs the dead consumers held come back once their locks expire (30 s) and a stalled check runs.
  const outcomes = await settleJobs(chaos.client, ids, 150_000);
  const ioRuns = [...tokens.values()].map((token) => ledger.requestsFor(token));
  const cpuEvents = await readLaneEvents(chaos.redis.url, chaos.stack.prefix, 'cpu');
  const cpuStarts = countPerJob(cpuEvents, isExecutionStart);
  // Taken by a consumer (BullMQ `active`) twice but started once: the kill came in between.
  const cpuTaken = countPerJob(cpuEvents, (event) => event.event === 'active');
  const ioTwice = ioRuns.filter((runs) => runs >= 2).length;
  const cpuTwice = cpuIds.filter((id) => (cpuStarts.get(id) ?? 0) >= 2).length;
  const cpuTakenTwice = cpuIds.filter((id) => (cpuTaken.get(id) ?? 0) >= 2).length;
  printFigure(
    `SIGKILL io-consumer+compute mid-run: ${outcomes.count('completed')}/${JOBS} completed, ` +
      `${ioTwice + cpuTwice} ran twice (ledger: io.http requests ${ioTwice} of ${ioIds.length}, ` +
      `executor starts ${cpuTwice} of ${cpuIds.length}, ${cpuTakenTwice} taken twice by a consumer); ${inFlightRequests} io.http requests in flight at the kill`,
  );

  assert.equal(outcomes.missing.length, 0, `jobs lost: ${outcomes.missing.slice(0, 5).join(', ')}`);
  assert.equal(
    outcomes.unfinished.length,
    0,
    `jobs never finished: ${outcomes.unfinished.slice(0, 5).join(', ')}`,
  );
  assert.equal(outcomes.count('completed'), JOBS);
  assert.ok(inFlightRequests > 0, 'the kill came while io.http requests were in flight');
  assert.ok(
    ioRuns.every((runs) => runs >= 1),
    'the ledger saw every io job run',
  );
  assertCoversJobs(cpuStarts, cpuIds, 'execution start');
  assert.ok(ioTwice >= 1, 'the requests in flight at the kill were made again');
  assert.ok(Math.max(...ioRuns, ...cpuStarts.values()) <= 2, 'one kill re-runs a job at most once');
  assert.ok(
    ioTwice <= IO_CONCURRENCY,
    `${ioTwice} io jobs ran twice; at most ${IO_CONCURRENCY} were in flight`,
  );
  assert.ok(cpuTwice <= cpuTakenTwice, 'a cpu job started twice was taken twice');
  assert.ok(
    cpuTakenTwice <= POOL_SIZE,
    `${cpuTakenTwice} cpu jobs were taken twice; at most ${POOL_SIZE} were in flight`,
  );
});
