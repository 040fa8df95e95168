import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import { emptyResource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type CollectionResult,
  type HistogramMetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';

/** What a histogram is exported as: the SDK's instrument options, less what these never change. */
export interface JobHistogramOptions {
  unit: string;
  description: string;
  /** Upper bounds of the buckets, ascending; values above the last fall in one more bucket. */
  boundaries: readonly number[];
}

/** One label set's histogram, cumulative from its first record, as the SDK's histogram keeps it. */
class HistogramCell {
  readonly counts: number[];
  sum = 0;
  count = 0;
  min = Infinity;
  max = -Infinity;
  readonly startTime: HrTime = hrTime();

  constructor(buckets: number) {
    this.counts = new Array<number>(buckets).fill(0);
  }
}

/**
 * A histogram whose label sets are objects made once per distinct content (`JobLabelSets`): recording
 * is one Map lookup by that object, a bucket search and a few additions. The SDK's own histogram
 * hashes the attributes on every record instead (`hashAttributes`: it sorts the keys and serialises
 * them, ~1.5 µs and ~4 KiB of garbage per record), three times per job on a consumer's event loop.
 * It aggregates as the SDK does (`HistogramAccumulation`: bucket `i` counts values ≤ `boundaries[i]`,
 * min, max, sum and count), so it is exported the same: same name, unit, buckets and values.
 */
export class JobHistogram {
  readonly #cells = new Map<Readonly<Attributes>, HistogramCell>();

  constructor(
    readonly name: string,
    readonly options: JobHistogramOptions,
  ) {}

  /** As the SDK's `Histogram.record`: a negative value or NaN is dropped. */
  record(value: number, attributes: Readonly<Attributes>): void {
    if (!(value >= 0)) return;
    let cell = this.#cells.get(attributes);
    if (!cell) {
      cell = new HistogramCell(this.options.boundaries.length + 1);
      this.#cells.set(attributes, cell);
    }
    cell.count += 1;
    cell.sum += value;
    if (value < cell.min) cell.min = value;
    if (value > cell.max) cell.max = value;
    cell.counts[bucketOf(this.options.boundaries, value)] += 1;
  }

  /** The data points so far (none before the first record, as the SDK), cumulative. */
  collect(endTime: HrTime): HistogramMetricData | undefined {
    if (this.#cells.size === 0) return undefined;
    const boundaries = [...this.options.boundaries];
    return {
      descriptor: {
        name: this.name,
        description: this.options.description,
        unit: this.options.unit,
        valueType: ValueType.DOUBLE,
      },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: [...this.#cells].map(([attributes, cell]) => ({
        attributes,
        startTime: cell.startTime,
        endTime,
        value: {
          buckets: { boundaries, counts: [...cell.counts] },
          sum: cell.sum,
          count: cell.count,
          min: cell.min,
          max: cell.max,
        },
      })),
    };
  }
}

/** The first bucket whose upper bound is ≥ value (the last one if none is). */
function bucketOf(boundaries: readonly number[], value: number): number {
  let low = 0;
  let high = boundaries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((boundaries[middle] as number) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The job histograms of this process, handed to every metric reader as a `MetricProducer` (the SDK's
 * hook for metrics aggregated outside it; see start-telemetry.ts), under the meter's own scope name so
 * that Prometheus labels them as before (`otel_scope_name`). Views do not apply to them: their labels
 * come from `JobLabelSets`, which builds only allowlisted ones.
 */
export class JobHistograms implements MetricProducer {
  readonly #histograms: JobHistogram[] = [];

  constructor(private readonly scopeName: string) {}

  create(name: string, options: JobHistogramOptions): JobHistogram {
    const histogram = new JobHistogram(name, options);
    this.#histograms.push(histogram);
    return histogram;
  }

  async collect(): Promise<CollectionResult> {
    const endTime = hrTime();
    const metrics = this.#histograms.flatMap((histogram) => histogram.collect(endTime) ?? []);
    return {
      // The reader keeps its own SDK's resource and takes only the scope metrics from here.
      resourceMetrics: {
        resource: emptyResource(),
        scopeMetrics: [{ scope: { name: this.scopeName }, metrics }],
      },
      errors: [],
    };
  }
}
