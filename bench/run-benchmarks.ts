import os from 'node:os';
import { parseArgs } from 'node:util';
import { formatComparison } from './bench-support';
import { executorHop } from './executor-hop.bench';
import { queueThroughput } from './queue-throughput.bench';
import { tracingOverhead } from './tracing-overhead.bench';

const { values } = parseArgs({ options: { quick: { type: 'boolean' }, repeat: { type: 'string' } } });
const repeat = Number(values.repeat ?? (values.quick ? 1 : 3));
const scale = values.quick ? 0.2 : 1;

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
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
