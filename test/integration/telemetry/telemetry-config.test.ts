/** How `startTelemetry` reads the standard OTEL_* variables, each run in a fresh process. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
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
});
