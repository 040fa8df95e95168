/**
 * The job histograms are recorded outside the SDK (`JobHistogram`, to spare the SDK's per-record
 * attribute hashing); a scrape or an OTLP push must not tell the difference. Each case records the
 * same values into an SDK histogram and a `JobHistogram` of the same name, each behind a real
 * Prometheus exporter, and compares what the two serve.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Attributes } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { JobHistograms } from '../../../libs/telemetry/src/job-histograms';

const BOUNDARIES = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600];
const NAME = 'switchyard.job.run.duration';
const OPTIONS = { unit: 's', description: 'Time an attempt spent running its handler' };

const IO: Readonly<Attributes> = Object.freeze({
  'switchyard.task': 'io.sleep',
  'switchyard.lane': 'io',
  'switchyard.profile': 'io',
  'switchyard.execution.model': 'event-loop',
});
const CPU: Readonly<Attributes> = Object.freeze({ ...IO, 'switchyard.lane': 'cpu' });

/** Values on, between, below and above the bucket bounds, and two the SDK drops (negative, NaN). */
const RECORDS: [number, Readonly<Attributes>][] = [
  [0, IO],
  [0.001, IO],
  [0.0010001, IO],
  [0.3, IO],
  [600, IO],
  [601, IO],
  [-1, IO],
  [Number.NaN, IO],
  [2.5, CPU],
  [0.07, CPU],
];

interface Served {
  text: string;
  metrics: ResourceMetrics;
}

async function serve(exporter: PrometheusExporter): Promise<Served> {
  const { resourceMetrics, errors } = await exporter.collect();
  assert.deepEqual(errors, []);
  return { text: new PrometheusSerializer().serialize(resourceMetrics), metrics: resourceMetrics };
}

/** What the SDK's histogram and a JobHistogram serve once fed the same records. */
async function servedAfter(records: [number, Readonly<Attributes>][]): Promise<{ sdk: Served; own: Served }> {
  const sdkExporter = new PrometheusExporter({ preventServerStart: true });
  const sdkHistogram = new MeterProvider({ readers: [sdkExporter] })
    .getMeter('switchyard')
    .createHistogram(NAME, { ...OPTIONS, advice: { explicitBucketBoundaries: BOUNDARIES } });
  const producer = new JobHistograms('switchyard');
  const ownExporter = new PrometheusExporter({ preventServerStart: true, metricProducers: [producer] });
  new MeterProvider({ readers: [ownExporter] }); // a reader collects only once a provider holds it
  const ownHistogram = producer.create(NAME, { ...OPTIONS, boundaries: BOUNDARIES });
  for (const [value, attributes] of records) {
    sdkHistogram.record(value, attributes);
    ownHistogram.record(value, attributes);
  }
  return { sdk: await serve(sdkExporter), own: await serve(ownExporter) };
}

/** Each data point's labels and value (min, max, sum, count, buckets), without its times. */
function points(metrics: ResourceMetrics): unknown[] {
  return metrics.scopeMetrics.flatMap((scope) =>
    scope.metrics.flatMap((metric) =>
      metric.dataPoints.map((point) => ({
        scope: scope.scope.name,
        name: metric.descriptor.name,
        unit: metric.descriptor.unit,
        temporality: metric.aggregationTemporality,
        attributes: point.attributes,
        value: point.value,
      })),
    ),
  );
}

describe('JobHistogram, against the SDK histogram it replaces', () => {
  it('serves the same Prometheus text: buckets, sum, count, labels, help, unit and scope', async () => {
    const { sdk, own } = await servedAfter(RECORDS);
    assert.match(own.text, /switchyard_job_run_duration_bucket\{.*le="0\.001"\} 2/);
    assert.equal(own.text, sdk.text);
  });

  it('pushes the same data points over OTLP: min and max too', async () => {
    const { sdk, own } = await servedAfter(RECORDS);
    const ownPoints = points(own.metrics);
    assert.equal(ownPoints.length, 2, 'one point per label set');
    assert.deepEqual(ownPoints, points(sdk.metrics));
  });

  it('serves nothing before the first record, as the SDK does', async () => {
    const { sdk, own } = await servedAfter([]);
    assert.doesNotMatch(own.text, /switchyard_job_run_duration/);
    assert.equal(own.text, sdk.text);
  });
});
