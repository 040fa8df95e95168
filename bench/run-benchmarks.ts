import os from 'node:os';
import { parseArgs } from 'node:util';
import { formatComparison } from './bench-support';
import { executorHop } from './executor-hop.bench';
import { queueThroughput } from './queue-throughput.bench';

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
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
