import { OtlpSink } from './support/otlp-sink';
import {
  alternate,
  runJobs,
  startRawBullmqSide,
  startSides,
  startSwitchyardSide,
  type QueueRun,
  type SwitchyardSide,
} from './support/queue-sides';

/** Issue 9's end-to-end case: no-op jobs, consumer concurrency 100. */
const CONCURRENCY = 100;
const NO_OP = { task: 'io.sleep', payload: { ms: 0 } };
/** 1 ms of CPU on compute's 2 worker threads: the tracing aim for jobs that do some work. */
const SPIN_1MS = { task: 'diag.spin', payload: { ms: 1 } };

export interface QueuePathSizes {
  /** Jobs per end-to-end run (20,000 in issue 9's measurement). */
  jobs: number;
  /** Jobs per run of the no-op tracing comparison. */
  tracedJobs: number;
  /** Jobs per run of the 1 ms tracing comparison. */
  spinJobs: number;
  repeat: number;
  /** Jobs each stack runs before anything is timed (10,000 fills the kept completed jobs). */
  warmup: number;
}

export interface QueuePath {
  raw: { subject: string; runs: QueueRun[] };
  switchyard: { subject: string; runs: QueueRun[] };
  /** No-op jobs, untraced and traced (100 % sampled, exported over OTLP/protobuf), `tracedJobs` a run. */
  noOpTracing: { off: QueueRun[]; on: QueueRun[] };
  /** 1 ms CPU jobs on compute (2 worker threads), untraced and traced. */
  spinTracing: { off: QueueRun[]; on: QueueRun[] };
}

/**
 * Three stacks, each on a Redis of its own (BenchRedis): raw BullMQ (a producer process with `addBulk`, a `Worker`
 * process), Switchyard's real api + io-consumer (`IO_CONCURRENCY=100`) + compute (2 worker threads) as
 * shipped (metrics on, no traces), and the same apps with every job traced to an OTLP sink standing in for
 * Jaeger. Issue 9's measurement (no-op jobs in batches of 500 through `POST /v1/jobs/batch`, against raw
 * BullMQ) runs on the first two; the tracing rows compare the last two, on no-op jobs and on 1 ms jobs.
 * Runs alternate between the sides compared, so a slow moment of a shared machine hits both.
 */
export async function queuePath(sizes: QueuePathSizes): Promise<QueuePath> {
  const sink = await OtlpSink.start();
  const switchyard = (subject: string, env: Record<string, string>) => () =>
    startSwitchyardSide({
      subject,
      consumers: [
        { name: 'io-consumer', app: 'io-consumer', env: { IO_CONCURRENCY: String(CONCURRENCY) } },
        { name: 'compute', app: 'compute', env: { POOL_SIZE: '2', EXECUTION_MODEL: 'worker-threads' } },
      ],
      job: NO_OP,
      env,
    });
  try {
    const sides = await startSides([
      () => startRawBullmqSide({ concurrency: CONCURRENCY }),
      switchyard(`Switchyard POST /v1/jobs/batch → api → io-consumer (IO_CONCURRENCY=${CONCURRENCY})`, {}),
      switchyard('the same, every job traced (100 % sampled, OTLP http/protobuf)', sink.tracingEnv()),
    ]);
    const [raw, untraced, traced] = sides as [(typeof sides)[0], SwitchyardSide, SwitchyardSide];
    try {
      const [rawRuns, switchyardRuns] = await alternate(
        [raw, untraced],
        sizes.jobs,
        sizes.repeat,
        sizes.warmup,
      );
      // The traced stack warms up as the others did (its kept completed jobs filled too); the untraced is warm.
      await runJobs(traced, sizes.warmup);
      const [noOpOff, noOpOn] = await alternate([untraced, traced], sizes.tracedJobs, sizes.repeat, 0);
      const spinning = [untraced, traced].map((side) => side.withJob(SPIN_1MS, 'compute'));
      const [spinOff, spinOn] = await alternate(spinning, sizes.spinJobs, sizes.repeat, 200);
      if (sink.traceBytes === 0)
        throw new Error('the traced stack exported no spans: the tracing rows would be void');
      return {
        raw: { subject: raw.subject, runs: rawRuns },
        switchyard: { subject: untraced.subject, runs: switchyardRuns },
        noOpTracing: { off: noOpOff, on: noOpOn },
        spinTracing: { off: spinOff, on: spinOn },
      };
    } finally {
      await Promise.all(sides.map((side) => side.stop()));
    }
  } finally {
    await sink.close();
  }
}
