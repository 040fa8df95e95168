/**
 * `npm run bench:tracing [-- --quick] [-- --repeat N] [-- --variant NAME=value…]`: the two tracing rows of
 * `npm run bench` alone (the same stacks, jobs and aims), for work on the tracing path: each run of the
 * untraced stack is followed by one of the traced stack, and, with `--variant`, one of a third stack
 * traced with that environment too (e.g. `--variant SPAN_EXPORT_THREAD=false`), so a change can be
 * compared with the shipped default side by side. Prints jobs/s and the CPU per job of each process.
 * `--only no-op` or `--only spin` runs one of the two cases.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { formatAims, lossRow, type AimRow } from './aims';
import { formatComparison } from './bench-support';
import { formatCpuPerJob } from './support/cpu-report';
import { OtlpSink } from './support/otlp-sink';
import {
  alternate,
  runJobs,
  startSides,
  startSwitchyardSide,
  type SwitchyardSide,
} from './support/queue-sides';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    repeat: { type: 'string' },
    variant: { type: 'string', multiple: true },
    only: { type: 'string' },
  },
});
const quick = values.quick ?? false;
const repeat = Number(values.repeat ?? (quick ? 1 : 3));
// Longer runs than `npm run bench` had (4,000 and 1,200 jobs): a run under a second left the CPU per job to noise.
const sizes = quick
  ? { noOp: 2_000, spin: 400, warmup: 2_000 }
  : { noOp: 10_000, spin: 2_000, warmup: 10_000 };
const variant = Object.fromEntries(
  (values.variant ?? []).map((pair) => {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`--variant takes NAME=value, got "${pair}"`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }),
);
const only = values.only;
if (only !== undefined && only !== 'no-op' && only !== 'spin') {
  throw new Error(`--only takes no-op or spin, got "${only}"`);
}
const NO_OP = { task: 'io.sleep', payload: { ms: 0 } };
const SPIN_1MS = { task: 'diag.spin', payload: { ms: 1 } };

async function main(): Promise<void> {
  const sink = await OtlpSink.start();
  const traced = sink.tracingEnv();
  const stack = (subject: string, env: Record<string, string>) => () =>
    startSwitchyardSide({
      subject,
      consumers: [
        { name: 'io-consumer', app: 'io-consumer', env: { IO_CONCURRENCY: '100' } },
        { name: 'compute', app: 'compute', env: { POOL_SIZE: '2', EXECUTION_MODEL: 'worker-threads' } },
      ],
      job: NO_OP,
      env,
      logDir: process.env.BENCH_LOG_DIR,
    });
  const variantName = Object.entries(variant)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
  console.log(`load ${os.loadavg()[0].toFixed(1)}: starting the stacks`);
  const sides = (await startSides([
    stack('tracing off', {}),
    stack('tracing on', traced),
    ...(variantName ? [stack(`tracing on, ${variantName}`, { ...traced, ...variant })] : []),
  ])) as SwitchyardSide[];
  const rows: AimRow[] = [];
  try {
    for (const side of sides) await runJobs(side, sizes.warmup);
    const cases = [
      {
        name: 'no-op',
        title: `${sizes.noOp} no-op jobs a run on the io-consumer`,
        jobs: sizes.noOp,
        aim: 10,
        of: sides,
      },
      {
        name: 'spin',
        title: `${sizes.spin} jobs of 1 ms CPU (diag.spin) a run on compute, 2 worker threads`,
        jobs: sizes.spin,
        aim: 3,
        of: sides.map((side) => side.withJob(SPIN_1MS, 'compute')),
      },
    ].filter((entry) => only === undefined || entry.name === only);
    for (const { title, jobs, aim, of } of cases) {
      console.log(`\n## ${title} (load ${os.loadavg()[0].toFixed(1)})`);
      const runs = await alternate(of, jobs, repeat, title.includes('no-op') ? 0 : 200);
      const measured = sides.map((side, index) => ({ subject: side.subject, runs: runs[index] }));
      const rate = (index: number) => runs[index].map((run) => run.jobsPerSecond);
      console.log(
        formatComparison(
          'jobs/s',
          'jobs/s',
          measured.map((m, i) => ({ ...m, runs: rate(i) })),
        ),
      );
      console.log(`\n${formatCpuPerJob(measured)}`);
      for (let index = 1; index < sides.length; index++) {
        rows.push(lossRow(`${sides[index].subject}: ${title}`, 'jobs/s', rate(index), rate(0), aim));
      }
    }
    if (sink.traceBytes === 0) throw new Error('the traced stacks exported no spans: the rows would be void');
    console.log(`\nload ${os.loadavg()[0].toFixed(1)}\n\n${formatAims(rows)}`);
  } finally {
    await Promise.all(sides.map((side) => side.stop()));
    await sink.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
