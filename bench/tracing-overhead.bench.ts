import { OtlpSink } from './support/otlp-sink';
import { alternate, startSides, startSwitchyardSide, type QueueRun } from './support/queue-sides';

export interface TracingOverhead {
  off: QueueRun[];
  on: QueueRun[];
}

/**
 * 1 ms CPU jobs (`diag.spin`) on compute with 2 worker threads, the real api and compute processes with
 * tracing off (no endpoint: no tracer at all) against tracing on at 100 % sampling, every span exported over
 * OTLP/protobuf to a sink that stands in for Jaeger. (No-op jobs are measured with the end-to-end case.)
 */
export async function tracingOverheadOnCompute(
  jobs: number,
  repeat: number,
  warmup: number,
): Promise<TracingOverhead> {
  const sink = await OtlpSink.start();
  const side = (subject: string, env: Record<string, string>) => () =>
    startSwitchyardSide({
      subject,
      consumer: {
        name: 'compute',
        app: 'compute',
        env: { POOL_SIZE: '2', EXECUTION_MODEL: 'worker-threads' },
      },
      job: { task: 'diag.spin', payload: { ms: 1 } },
      env,
    });
  try {
    const sides = await startSides([
      side('tracing off', {}),
      side('tracing on', {
        OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_TRACES_SAMPLER: 'always_on',
      }),
    ]);
    try {
      const [off, on] = await alternate(sides, jobs, repeat, warmup);
      if (sink.traceBytes === 0)
        throw new Error('the traced stack exported no spans: the tracing row would be void');
      return { off, on };
    } finally {
      await Promise.all(sides.map((started) => started.stop()));
    }
  } finally {
    await sink.close();
  }
}
