import { DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';

/**
 * The unit suffixes of the OpenTelemetry → Prometheus compatibility spec ("Metric Metadata": a unit
 * becomes a suffix of the name, `1` on a gauge becomes `_ratio`). The SDK's Prometheus serializer does
 * not add them (it writes the unit in a `# UNIT` comment only), so `switchyard.job.run.duration` in
 * seconds would be served as `switchyard_job_run_duration`, which `promtool check metrics` rejects and
 * which differs from the name an OpenTelemetry Collector gives the same series pushed over OTLP.
 */
const UNIT_WORDS: Readonly<Record<string, string>> = {
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  min: 'minutes',
  h: 'hours',
  d: 'days',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  '%': 'percent',
};

/** The Prometheus word for an OpenTelemetry unit, or undefined when it adds no suffix (`{job}`, none). */
export function prometheusUnit(unit: string, dataPointType: DataPointType): string | undefined {
  // Curly-brace annotations (`{job}`) name what is counted; they are not units.
  const bare = unit.replace(/\{[^}]*\}/g, '').trim();
  if (bare === '') return undefined;
  if (bare === '1') return dataPointType === DataPointType.GAUGE ? 'ratio' : undefined;
  const [numerator, denominator] = bare.split('/', 2);
  const word = (part: string) => UNIT_WORDS[part] ?? part.replace(/[^A-Za-z0-9_]/g, '_');
  return denominator ? `${word(numerator)}_per_${word(denominator)}` : word(numerator);
}

function withUnitSuffix(metric: MetricData): MetricData {
  const unit = prometheusUnit(metric.descriptor.unit, metric.dataPointType);
  if (unit === undefined) {
    // No `# UNIT` line for an annotation: OpenMetrics wants the unit to be a suffix of the name.
    return metric.descriptor.unit === ''
      ? metric
      : { ...metric, descriptor: { ...metric.descriptor, unit: '' } };
  }
  const { name } = metric.descriptor;
  const suffixed = name.endsWith(`_${unit}`) || name.endsWith(`.${unit}`);
  return {
    ...metric,
    descriptor: { ...metric.descriptor, name: suffixed ? name : `${name}_${unit}`, unit },
  } as MetricData;
}

/** The collected metrics with Prometheus names: `<name>_<unit>` (the serializer adds `_total`). */
export function withPrometheusNames(resourceMetrics: ResourceMetrics): ResourceMetrics {
  return {
    ...resourceMetrics,
    scopeMetrics: resourceMetrics.scopeMetrics.map((scope) => ({
      ...scope,
      metrics: scope.metrics.map(withUnitSuffix),
    })),
  };
}
