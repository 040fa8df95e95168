/**
 * `node dist/bench/profile/profile-compute.js [--jobs N] [--out DIR] [--pool N] [--threads]`: the 1 ms
 * case of `npm run bench:tracing` (`diag.spin {ms: 1}` on a compute consumer of worker threads), one
 * stack untraced and one traced, the compute consumer's main thread profiled over the measured run (the
 * preload of `npm run bench:profile`) into DIR/untraced and DIR/traced. `--threads` profiles its whole
 * life with `--cpu-prof` instead, one profile per thread (its main thread and each pool thread), written
 * when the stack stops. `--strace` counts the compute consumer's system calls (all its threads) over the
 * run instead (`strace -c -f`, into DIR/<side>/strace.txt): it slows every call, so read counts, not
 * times. Prints each side's jobs/s and CPU µs per job by process; read the profiles with
 * `npm run bench:top`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { formatCpuPerJob } from '../support/cpu-report';
import { OtlpSink } from '../support/otlp-sink';
import { runJobs, startSwitchyardSide } from '../support/queue-sides';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string' },
    out: { type: 'string' },
    pool: { type: 'string' },
    threads: { type: 'boolean' },
    strace: { type: 'boolean' },
  },
});
const jobs = Number(values.jobs ?? 3_000);
const outDir = path.resolve(
  values.out ?? `reports/profile-compute-${new Date().toISOString().replace(/[:.]/g, '-')}`,
);
const SPIN_1MS = { task: 'diag.spin', payload: { ms: 1 } };

async function main(): Promise<void> {
  const sink = await OtlpSink.start();
  const traced = sink.tracingEnv();
  const measured = [];
  try {
    for (const [subject, env] of [
      ['untraced', {}],
      ['traced', traced],
    ] as const) {
      const dir = path.join(outDir, subject);
      mkdirSync(dir, { recursive: true });
      const side = await startSwitchyardSide({
        subject,
        consumers: [
          {
            name: 'compute',
            app: 'compute',
            env: {
              POOL_SIZE: values.pool ?? '2',
              EXECUTION_MODEL: 'worker-threads',
              ...(values.strace
                ? {}
                : values.threads
                  ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}` }
                  : {
                      NODE_OPTIONS: `--require ${path.join(__dirname, 'profile-preload.js')}`,
                      BENCH_PROFILE_DIR: dir,
                    }),
            },
          },
        ],
        job: SPIN_1MS,
        env,
      });
      try {
        await runJobs(side, 500);
        console.log(`${subject}: ${jobs} jobs (load ${os.loadavg()[0].toFixed(1)})`);
        const compute = side.processes.find((entry) => entry.role === 'compute');
        const toggle = async () => {
          if (values.threads || values.strace || !compute) return;
          process.kill(compute.pid, 'SIGURG');
          await delay(500);
        };
        const tracer =
          values.strace && compute
            ? spawn('strace', ['-c', '-f', '-p', String(compute.pid), '-o', path.join(dir, 'strace.txt')], {
                stdio: 'ignore',
              })
            : undefined;
        if (tracer) await delay(1_000);
        else await toggle();
        const run = await runJobs(side, jobs);
        if (tracer) {
          tracer.kill('SIGINT');
          await once(tracer, 'exit');
        } else await toggle();
        console.log(`${subject}: ${run.jobsPerSecond.toFixed(0)} jobs/s`);
        measured.push({ subject, runs: [run] });
      } finally {
        await side.stop();
      }
    }
  } finally {
    await sink.close();
  }
  console.log(`\n${formatCpuPerJob(measured)}\n\nprofiles in ${outDir}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
