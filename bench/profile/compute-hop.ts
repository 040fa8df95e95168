/**
 * `node dist/bench/profile/compute-hop.js [--jobs N] [--rounds N] [--ms N] [--pool N] [--model M]`: what
 * tracing adds to one run through a pool executor, without Redis, BullMQ or the other apps. The SDK is
 * started (exporting to a local OTLP sink) and rounds alternate attempts without and with a traceparent,
 * so the difference is the thread's execute span, its hand-over and its export. Prints µs of CPU per run
 * for the whole process (all threads, as the kernel counts it) and for the main thread alone. Run it with
 * `NODE_OPTIONS=--cpu-prof` to profile the main thread and each worker thread.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { AttemptContext, ExecutionModel } from '@switchyard/contracts';
import { createExecutor, type Executor } from '@switchyard/execution';
import { shutdownTelemetry, startTelemetry } from '@switchyard/telemetry';
import { benchAttempt } from '../bench-support';
import { OtlpSink } from '../support/otlp-sink';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string' },
    rounds: { type: 'string' },
    ms: { type: 'string' },
    pool: { type: 'string' },
    model: { type: 'string' },
    /** Run one side only (`traced` or `untraced`), to profile it alone. */
    only: { type: 'string' },
  },
});
const jobs = Number(values.jobs ?? 4_000);
const rounds = Number(values.rounds ?? 3);
const spinMs = Number(values.ms ?? 0);
const poolSize = Number(values.pool ?? 2);
const model = (values.model ?? 'worker-threads') as ExecutionModel;
const only = values.only;

interface Cost {
  wallUs: number;
  processUs: number;
  mainUs: number;
}

function attempt(id: number, traced: boolean): AttemptContext {
  return benchAttempt(id, 'diag.spin', { ms: spinMs }, traced);
}

/** `jobs` runs, `poolSize` at a time; CPU per run of the process and of this thread. */
async function measure(executor: Executor, traced: boolean): Promise<Cost> {
  const cpu = process.cpuUsage();
  const main = process.threadCpuUsage();
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: poolSize }, async () => {
      while (next < jobs) await executor.run(attempt(next++, traced));
    }),
  );
  const wallUs = ((performance.now() - start) * 1_000) / jobs;
  const used = process.cpuUsage(cpu);
  const mainUsed = process.threadCpuUsage(main);
  return {
    wallUs,
    processUs: (used.user + used.system) / jobs,
    mainUs: (mainUsed.user + mainUsed.system) / jobs,
  };
}

const format = (cost: Cost) =>
  `wall ${cost.wallUs.toFixed(1)} · process CPU ${cost.processUs.toFixed(1)} · main thread ${cost.mainUs.toFixed(1)}`;

async function main(): Promise<void> {
  const sink = await OtlpSink.start();
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = sink.endpoint;
  process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'http/protobuf';
  process.env.OTEL_TRACES_SAMPLER = 'always_on';
  process.env.OTEL_METRIC_EXPORT_INTERVAL ??= '600000';
  startTelemetry({ serviceName: 'switchyard-bench-compute-hop' });
  const executor = createExecutor(model, {
    poolSize,
    catalog: { httpAllowedHosts: [], diagnosticTasks: true },
  });
  console.log(
    `load ${os.loadavg()[0].toFixed(1)}: ${model}, pool ${poolSize}, diag.spin {ms: ${spinMs}}, ${jobs} runs a side, µs per run`,
  );
  try {
    if (only !== undefined) {
      await measure(executor, only === 'traced');
      for (let round = 0; round < rounds; round++)
        console.log(`${only} ${format(await measure(executor, only === 'traced'))}`);
      return;
    }
    await measure(executor, true);
    await measure(executor, false);
    const sides: { off: Cost[]; on: Cost[] } = { off: [], on: [] };
    for (let round = 0; round < rounds; round++) {
      sides.off.push(await measure(executor, false));
      sides.on.push(await measure(executor, true));
      console.log(`untraced ${format(sides.off[round])}\ntraced   ${format(sides.on[round])}`);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const delta = (key: keyof Cost) =>
      median(sides.on.map((cost) => cost[key])) - median(sides.off.map((cost) => cost[key]));
    console.log(
      `traced − untraced (medians): wall ${delta('wallUs').toFixed(1)} · process CPU ${delta('processUs').toFixed(1)} · main thread ${delta('mainUs').toFixed(1)} (load ${os.loadavg()[0].toFixed(1)})`,
    );
  } finally {
    await executor.close();
    await shutdownTelemetry();
    await sink.close();
  }
  // After the flush at shutdown: a short run's spans may all be in the last, partial batch.
  if (only !== 'untraced' && sink.traceBytes === 0) {
    throw new Error('no spans reached the sink: the traced side is void');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
