/** How `startTelemetry` reads the standard OTEL_* variables, each run in a fresh process. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { OtlpReceiver } from '../../helpers/otlp-receiver';
import { runNodeFixture } from '../../helpers/run-node-fixture';

interface MetricsFixtureResult {
  status: { enabled: boolean; tracing: boolean };
  spanRecording: boolean;
  carrier: { traceparent?: string };
  prometheus: string;
}

const METRICS_FIXTURE = path.join(__dirname, 'fixtures', 'metrics-fixture.js');
/** Nothing listens there: these runs must not need a collector. */
const DEAD_ENDPOINT = 'http://127.0.0.1:9';

describe('startTelemetry configuration', () => {
  it('turns everything off with OTEL_SDK_DISABLED', async () => {
    const { result } = await runNodeFixture<MetricsFixtureResult>(METRICS_FIXTURE, {
      OTEL_SDK_DISABLED: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: DEAD_ENDPOINT,
    });
    assert.equal(result.status.enabled, false);
    assert.equal(result.spanRecording, false);
    assert.equal(result.prometheus, '');
  });

  it('honours OTEL_TRACES_SAMPLER: unsampled spans are not recorded but still propagate', async () => {
    const { result } = await runNodeFixture<MetricsFixtureResult>(METRICS_FIXTURE, {
      OTEL_EXPORTER_OTLP_ENDPOINT: DEAD_ENDPOINT,
      OTEL_TRACES_SAMPLER: 'always_off',
      OTEL_METRICS_EXPORTER: 'none',
    });
    assert.equal(result.status.tracing, true);
    assert.equal(result.spanRecording, false);
    assert.match(result.carrier.traceparent ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  });

  it('refuses to start on an unknown OTLP protocol and names the variable', async () => {
    await assert.rejects(
      runNodeFixture(METRICS_FIXTURE, {
        OTEL_EXPORTER_OTLP_ENDPOINT: DEAD_ENDPOINT,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/xml',
      }),
      /OTEL_EXPORTER_OTLP_PROTOCOL="http\/xml" is not an OTLP protocol: use one of http\/protobuf, http\/json, grpc/,
    );
  });

  it('refuses to start on a trace exporter it cannot put behind the span allowlist', async () => {
    await assert.rejects(
      runNodeFixture(METRICS_FIXTURE, { OTEL_TRACES_EXPORTER: 'otlp,zipkin' }),
      /OTEL_TRACES_EXPORTER="otlp,zipkin" names an exporter Switchyard does not build: use otlp, console or none/,
    );
  });

  it('pushes the job histograms with the temporality OTLP asks for: cumulative by default, delta on request', async () => {
    const receiver = await OtlpReceiver.start();
    try {
      for (const preference of [undefined, 'delta'] as const) {
        await runNodeFixture(METRICS_FIXTURE, {
          OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${receiver.endpoint}/v1/metrics`,
          OTEL_TRACES_EXPORTER: 'none',
          ...(preference ? { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: preference } : {}),
        });
        const pushed = receiver.metrics().filter((metric) => metric.name === 'switchyard.job.run.duration');
        const last = pushed.at(-1);
        assert.ok(last, `run durations pushed (${preference ?? 'default'})`);
        assert.equal(last.temporality, preference ?? 'cumulative');
        // The fixture records three attempts with a run time: all of them in the one export at shutdown.
        assert.equal(
          last.points.reduce((sum, point) => sum + (point.count ?? 0), 0),
          3,
        );
      }
    } finally {
      await receiver.close();
    }
  });
});
