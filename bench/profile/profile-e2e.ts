/**
 * `npm run bench:profile [-- --jobs 20000 --out reports/profile --traced --env NAME=value…]`: the
 * end-to-end case of `npm run bench` (20,000 no-op jobs, batches of 500, concurrency 100, 10,000 completed
 * kept), each side's processes profiled while they run it: a CPU profile, a sampling heap profile and the
 * window's CPU and GC time per process, and Redis's commands per job. `--traced` traces every job on the
 * Switchyard side (100 % sampled, exported over OTLP/protobuf to a sink); `--env` sets more environment
 * on its processes (e.g. `LOG_LEVEL=warn`). Writes the profiles and `summary.md` to the output folder and
 * prints the summary; `npm run bench:top` reads the profiles again later.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { formatTable } from '../support/format-table';
import { OtlpSink } from '../support/otlp-sink';
import {
  KEEP_COMPLETED,
  runJobs,
  startRawBullmqSide,
  startSwitchyardSide,
  type QueueRun,
  type QueueSide,
} from '../support/queue-sides';
import { formatRedisPerJob } from '../support/redis-report';
import { formatCpuProfile, formatHeapProfile } from './profile-report';

interface ProfileWindow {
  label: string;
  wallMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** The main thread's share (the CPU profile's thread); absent in windows written before it was counted. */
  mainThreadCpuMs?: number;
  gc: { count: number; ms: number; byKind: Record<string, { count: number; ms: number }> };
  rssMiB: number;
}

const { values } = parseArgs({
  options: {
    jobs: { type: 'string' },
    out: { type: 'string' },
    traced: { type: 'boolean' },
    env: { type: 'string', multiple: true },
  },
});
const jobs = Number(values.jobs ?? 20_000);
const outDir = path.resolve(
  values.out ?? `reports/profile-${new Date().toISOString().replace(/[:.]/g, '-')}`,
);

/** Signals every process of a side (the preload toggles its profiler) and gives it time to act. */
async function toggleProfiles(side: QueueSide): Promise<void> {
  for (const { pid } of side.processes) process.kill(pid, 'SIGURG');
  await delay(500);
}

async function waitForWindows(side: QueueSide, dir: string): Promise<ProfileWindow[]> {
  const files = side.processes.map(({ role }) => path.join(dir, `${labelFor(role)}.window.json`));
  const deadline = Date.now() + 60_000;
  while (!files.every((file) => existsSync(file))) {
    if (Date.now() > deadline) throw new Error(`profiles not written in ${dir}: ${files.join(', ')}`);
    await delay(200);
  }
  return files.map((file) => JSON.parse(readFileSync(file, 'utf8')) as ProfileWindow);
}

/** The preload names its files after the app or the raw script. */
function labelFor(role: string): string {
  return role === 'producer' ? 'bullmq-producer' : role === 'worker' ? 'bullmq-worker' : role;
}

function processSection(window: ProfileWindow, dir: string): string {
  const cpuMs = window.cpuUserMs + window.cpuSystemMs;
  const mainThreadMs = window.mainThreadCpuMs ?? cpuMs;
  const cpu = JSON.parse(readFileSync(path.join(dir, `${window.label}.cpuprofile`), 'utf8'));
  const heap = JSON.parse(readFileSync(path.join(dir, `${window.label}.heapprofile`), 'utf8'));
  return [
    `### ${window.label}`,
    '',
    `CPU ${cpuMs.toFixed(0)} ms (user ${window.cpuUserMs.toFixed(0)}, system ${window.cpuSystemMs.toFixed(0)}) over ${window.wallMs.toFixed(0)} ms: ${((cpuMs * 1000) / jobs).toFixed(1)} µs per job, ` +
      `main thread ${((mainThreadMs * 1000) / jobs).toFixed(1)}; ` +
      `GC ${window.gc.ms.toFixed(0)} ms in ${window.gc.count} pauses (${Object.entries(window.gc.byKind)
        .map(([kind, tally]) => `${kind} ${tally.count}× ${tally.ms.toFixed(0)} ms`)
        .join(
          ', ',
        )}): ${((window.gc.ms * 1000) / jobs).toFixed(1)} µs per job; RSS ${window.rssMiB.toFixed(0)} MiB`,
    '',
    '#### CPU',
    '',
    formatCpuProfile(cpu, { jobs, cpuMs: mainThreadMs }),
    '',
    '#### Allocations',
    '',
    formatHeapProfile(heap, { jobs, top: 12 }),
  ].join('\n');
}

/** `--env NAME=value` options, and the tracing variables with `--traced`. */
function switchyardEnv(sink: OtlpSink | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const assignment of values.env ?? []) {
    const [name, ...value] = assignment.split('=');
    if (!name || value.length === 0) throw new Error(`--env ${assignment}: write NAME=value`);
    env[name] = value.join('=');
  }
  if (sink) {
    env.OTEL_EXPORTER_OTLP_ENDPOINT = sink.endpoint;
    env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/protobuf';
    env.OTEL_TRACES_SAMPLER = 'always_on';
  }
  return env;
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const sink = values.traced ? await OtlpSink.start() : undefined;
  const preload = path.join(__dirname, 'profile-preload.js');
  const sides: QueueSide[] = [];
  const sections: string[] = [];
  const runs: { side: QueueSide; run: QueueRun }[] = [];
  try {
    const dirs = ['raw', 'switchyard'].map((name) => path.join(outDir, name));
    dirs.forEach((dir) => mkdirSync(dir, { recursive: true }));
    const profiled = (dir: string) => ({ NODE_OPTIONS: `--require ${preload}`, BENCH_PROFILE_DIR: dir });
    sides.push(await startRawBullmqSide({ concurrency: 100, env: profiled(dirs[0]) }));
    sides.push(
      await startSwitchyardSide({
        subject: 'Switchyard',
        consumers: [{ name: 'io-consumer', app: 'io-consumer', env: { IO_CONCURRENCY: '100' } }],
        job: { task: 'io.sleep', payload: { ms: 0 } },
        env: { ...switchyardEnv(sink), ...profiled(dirs[1]) },
      }),
    );
    // Fill the kept completed jobs first: the profiled run is the steady state (every job trims one).
    for (const side of sides) await runJobs(side, KEEP_COMPLETED);
    for (const [index, side] of sides.entries()) {
      await toggleProfiles(side);
      const run = await runJobs(side, jobs);
      await toggleProfiles(side);
      runs.push({ side, run });
      console.log(`${side.subject}: ${run.jobsPerSecond.toFixed(0)} jobs/s while profiled`);
      for (const window of await waitForWindows(side, dirs[index]))
        sections.push(processSection(window, dirs[index]));
    }
  } finally {
    await Promise.all(sides.map((side) => side.stop()));
    await sink?.close();
  }
  const variant = [values.traced ? 'traced' : '', ...(values.env ?? [])].filter(Boolean).join(', ');
  const summary = [
    `# Profile of ${jobs} no-op jobs end to end${variant ? ` (Switchyard: ${variant})` : ''} (${new Date().toISOString()})`,
    '',
    formatTable(
      ['side', 'jobs/s (profiled)', 'Redis commands/job'],
      runs.map(({ side, run }) => [
        side.subject,
        run.jobsPerSecond.toFixed(0),
        (run.redis.totalCalls / jobs).toFixed(2),
      ]),
    ),
    '',
    '## Redis, per job',
    '',
    formatRedisPerJob(
      runs.map(({ side, run }) => ({ subject: side.subject.split(' ')[0], redis: run.redis, jobs })),
    ),
    '',
    '## Processes',
    '',
    sections.join('\n\n'),
  ].join('\n');
  writeFileSync(path.join(outDir, 'summary.md'), summary);
  console.log(summary);
  console.log(`\nprofiles and summary.md in ${outDir}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
