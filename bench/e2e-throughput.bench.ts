import { OtlpSink } from './support/otlp-sink';
import {
  alternate,
  runJobs,
  startRawBullmqSide,
  startSides,
  startSwitchyardSide,
  type QueueRun,
} from './support/queue-sides';

/** Issue 9's end-to-end case: no-op jobs, consumer concurrency 100. */
const CONCURRENCY = 100;
const NO_OP = { task: 'io.sleep', payload: { ms: 0 } };

export interface EndToEnd {
  raw: { subject: string; runs: QueueRun[] };
  switchyard: { subject: string; runs: QueueRun[] };
  /** The same Switchyard apps with every job traced (100 % sampled, exported over OTLP/protobuf). */
  traced: { subject: string; runs: QueueRun[] };
  /** Untraced runs of the same size as the traced ones, on the same untraced stack. */
  untraced: QueueRun[];
}

/**
 * Issue 9's measurement: no-op jobs submitted in batches of 500 and run at concurrency 100, Switchyard's
 * real api + io-consumer (`POST /v1/jobs/batch`) against a raw BullMQ producer process + Worker process,
 * each side on a private Redis of its own. Then the cost of tracing on the same apps: the untraced stack
 * against a traced one, `tracedJobs` per run.
 */
export async function endToEnd(
  jobs: number,
  tracedJobs: number,
  repeat: number,
  warmup: number,
): Promise<EndToEnd> {
  const sink = await OtlpSink.start();
  const io = {
    name: 'io-consumer',
    app: 'io-consumer' as const,
    env: { IO_CONCURRENCY: String(CONCURRENCY) },
  };
  try {
    const sides = await startSides([
      () => startRawBullmqSide({ concurrency: CONCURRENCY }),
      () =>
        startSwitchyardSide({
          subject: `Switchyard POST /v1/jobs/batch → api → io-consumer (IO_CONCURRENCY=${CONCURRENCY})`,
          consumer: io,
          job: NO_OP,
        }),
      () =>
        startSwitchyardSide({
          subject: 'the same, every job traced (100 % sampled, OTLP http/protobuf)',
          consumer: io,
          job: NO_OP,
          env: {
            OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint,
            OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
            OTEL_TRACES_SAMPLER: 'always_on',
          },
        }),
    ]);
    const [raw, switchyard, traced] = sides;
    try {
      const [rawRuns, switchyardRuns] = await alternate([raw, switchyard], jobs, repeat, warmup);
      // The traced stack warms up as the others did (its kept completed jobs filled too); the untraced is warm.
      await runJobs(traced, warmup);
      const [untraced, tracedRuns] = await alternate([switchyard, traced], tracedJobs, repeat, 0);
      if (sink.traceBytes === 0)
        throw new Error('the traced stack exported no spans: the tracing row would be void');
      return {
        raw: { subject: raw.subject, runs: rawRuns },
        switchyard: { subject: switchyard.subject, runs: switchyardRuns },
        traced: { subject: traced.subject, runs: tracedRuns },
        untraced,
      };
    } finally {
      await Promise.all(sides.map((side) => side.stop()));
    }
  } finally {
    await sink.close();
  }
}
