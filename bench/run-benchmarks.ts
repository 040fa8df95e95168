import os from 'node:os';
import { parseArgs } from 'node:util';
import { formatComparison } from './bench-support';
import { executorHop } from './executor-hop.bench';
import { jobListLatency } from './job-list.bench';
import { queueThroughput } from './queue-throughput.bench';
import { tracingOverhead } from './tracing-overhead.bench';

const { values } = parseArgs({ options: { quick: { type: 'boolean' }, repeat: { type: 'string' } } });
const repeat = Number(values.repeat ?? (values.quick ? 1 : 3));
const scale = values.quick ? 0.2 : 1;
/** Issue 8's aim for a filtered list page with 100,000 jobs retained. */
const LIST_P99_AIM_MS = 50;

async function main(): Promise<void> {
  console.log(
    `Switchyard benchmarks — ${os.cpus()[0]?.model ?? 'cpu'} × ${os.availableParallelism()}, Node ${process.version}, median of ${repeat}`,
  );
  console.log(
    formatComparison(
      'Queue path: enqueue and run no-op jobs on one event loop (jobs/s)',
      'jobs/s',
      await queueThroughput(Math.round(5_000 * scale), repeat),
    ),
  );
  console.log(
    formatComparison(
      'Executor hop: small CPU tasks through a pool (runs/s)',
      'runs/s',
      await executorHop(Math.round(4_000 * scale), repeat),
    ),
  );
  const tracingCases = [
    {
      title: 'no-op jobs (io.sleep 0 ms) on one io-consumer',
      jobs: 3_000,
      job: { task: 'io.sleep', payload: { ms: 0 } },
      services: [{ name: 'io-consumer', app: 'io-consumer' as const }],
    },
    {
      title: '1 ms CPU jobs (diag.spin 1 ms) on compute, 2 worker threads',
      jobs: 1_500,
      job: { task: 'diag.spin', payload: { ms: 1 } },
      services: [{ name: 'compute', app: 'compute' as const, env: { POOL_SIZE: '2' } }],
    },
    {
      title: '10 ms CPU jobs (diag.spin 10 ms) on compute, 2 child processes',
      jobs: 400,
      job: { task: 'diag.spin', payload: { ms: 10 } },
      services: [
        { name: 'compute', app: 'compute' as const, env: { POOL_SIZE: '2', EXECUTION_MODEL: 'processes' } },
      ],
    },
  ];
  for (const testCase of tracingCases) {
    const measured = await tracingOverhead({ ...testCase, jobs: Math.round(testCase.jobs * scale) }, repeat);
    console.log(formatComparison(`Tracing overhead — ${testCase.title} (jobs/s)`, 'jobs/s', measured));
  }
  const list = await jobListLatency(Math.round(100_000 * scale), 200);
  const mark = (p99: number) => (p99 <= LIST_P99_AIM_MS ? '✓' : '✗');
  console.log(
    [
      `\nGET /v1/jobs?task=… with ${list.retained} jobs retained, ${list.reads} reads of 50 (aim: p99 ≤ ${LIST_P99_AIM_MS} ms)`,
      `  one tenant's jobs   p50 ${list.tenant.p50.toFixed(1)} ms  p99 ${list.tenant.p99.toFixed(1)} ms  ${mark(list.tenant.p99)}`,
      `  admin, all tenants  p50 ${list.admin.p50.toFixed(1)} ms  p99 ${list.admin.p99.toFixed(1)} ms  ${mark(list.admin.p99)}`,
    ].join('\n'),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
