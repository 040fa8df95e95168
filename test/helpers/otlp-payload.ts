/** OTLP export requests, flattened into what tests assert on. Ids come out as hex whatever the encoding. */

export type OtlpEncoding = 'protobuf' | 'json';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** Absent on a root span. */
  parentSpanId?: string;
  name: string;
  /** OTLP span kind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Record<string, unknown>;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  status: { code: number; message?: string };
  events: { name: string; timeUnixNano: bigint; attributes: Record<string, unknown> }[];
  links: { traceId: string; spanId: string; attributes: Record<string, unknown> }[];
  resource: Record<string, unknown>;
  scope: string;
  encoding: OtlpEncoding;
}

export interface ReceivedMetricPoint {
  attributes: Record<string, unknown>;
  /** Gauges and sums. */
  value?: number;
  /** Histograms. */
  count?: number;
  sum?: number;
}

export interface ReceivedMetric {
  name: string;
  unit: string;
  type: 'gauge' | 'sum' | 'histogram';
  /** Histograms: how their points add up from one export to the next. */
  temporality?: 'delta' | 'cumulative';
  points: ReceivedMetricPoint[];
  resource: Record<string, unknown>;
  encoding: OtlpEncoding;
}

export interface ReceivedRequest {
  path: string;
  encoding: OtlpEncoding;
}

/** The OTLP/JSON shape; protobufjs' `toObject` yields the same camelCase shape. */
interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: string;
}
interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: OtlpKeyValue[];
  status?: { code?: number; message?: string };
  events?: { name: string; timeUnixNano: string | number; attributes?: OtlpKeyValue[] }[];
  links?: { traceId: string; spanId: string; attributes?: OtlpKeyValue[] }[];
}
export interface OtlpTraceRequest {
  resourceSpans?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: { scope?: { name?: string }; spans?: OtlpSpan[] }[];
  }[];
}
interface OtlpNumberPoint {
  attributes?: OtlpKeyValue[];
  asDouble?: number;
  asInt?: string | number;
}
interface OtlpHistogramPoint {
  attributes?: OtlpKeyValue[];
  count?: string | number;
  sum?: number;
}
interface OtlpMetric {
  name: string;
  unit?: string;
  gauge?: { dataPoints?: OtlpNumberPoint[] };
  sum?: { dataPoints?: OtlpNumberPoint[] };
  /** AggregationTemporality: 1 (or `AGGREGATION_TEMPORALITY_DELTA`) delta, 2 cumulative. */
  histogram?: { dataPoints?: OtlpHistogramPoint[]; aggregationTemporality?: number | string };
}
export interface OtlpMetricsRequest {
  resourceMetrics?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeMetrics?: { metrics?: OtlpMetric[] }[];
  }[];
}

/** Protobuf bytes come out of `toObject` as base64; OTLP/JSON already sends hex. */
function hexId(id: string | undefined, encoding: OtlpEncoding): string | undefined {
  if (!id) return undefined;
  return encoding === 'json' ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex');
}

function anyValue(value: OtlpAnyValue | undefined): unknown {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(anyValue);
  if (value.kvlistValue) return attributes(value.kvlistValue.values);
  return value.bytesValue;
}

function attributes(list: OtlpKeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, anyValue(kv.value)]));
}

export function flattenSpans(request: OtlpTraceRequest, encoding: OtlpEncoding): ReceivedSpan[] {
  return (request.resourceSpans ?? []).flatMap((resourceSpans) => {
    const resource = attributes(resourceSpans.resource?.attributes);
    return (resourceSpans.scopeSpans ?? []).flatMap((scopeSpans) =>
      (scopeSpans.spans ?? []).map((span): ReceivedSpan => ({
        traceId: hexId(span.traceId, encoding) ?? '',
        spanId: hexId(span.spanId, encoding) ?? '',
        parentSpanId: hexId(span.parentSpanId, encoding),
        name: span.name,
        kind: span.kind ?? 0,
        startTimeUnixNano: BigInt(span.startTimeUnixNano),
        endTimeUnixNano: BigInt(span.endTimeUnixNano),
        attributes: attributes(span.attributes),
        status: { code: span.status?.code ?? 0, message: span.status?.message || undefined },
        events: (span.events ?? []).map((event) => ({
          name: event.name,
          timeUnixNano: BigInt(event.timeUnixNano),
          attributes: attributes(event.attributes),
        })),
        links: (span.links ?? []).map((link) => ({
          traceId: hexId(link.traceId, encoding) ?? '',
          spanId: hexId(link.spanId, encoding) ?? '',
          attributes: attributes(link.attributes),
        })),
        resource,
        scope: scopeSpans.scope?.name ?? '',
        encoding,
      })),
    );
  });
}

function numberPoint(point: OtlpNumberPoint): ReceivedMetricPoint {
  const value = point.asDouble ?? (point.asInt !== undefined ? Number(point.asInt) : 0);
  return { attributes: attributes(point.attributes), value };
}

export function flattenMetrics(request: OtlpMetricsRequest, encoding: OtlpEncoding): ReceivedMetric[] {
  return (request.resourceMetrics ?? []).flatMap((resourceMetrics) => {
    const resource = attributes(resourceMetrics.resource?.attributes);
    return (resourceMetrics.scopeMetrics ?? []).flatMap((scopeMetrics) =>
      (scopeMetrics.metrics ?? []).map((metric): ReceivedMetric => {
        const base = { name: metric.name, unit: metric.unit ?? '', resource, encoding };
        if (metric.histogram) {
          const points = (metric.histogram.dataPoints ?? []).map((point) => ({
            attributes: attributes(point.attributes),
            count: Number(point.count ?? 0),
            sum: point.sum,
          }));
          const temporality = String(metric.histogram.aggregationTemporality);
          return {
            ...base,
            type: 'histogram',
            temporality: temporality === '1' || temporality.endsWith('DELTA') ? 'delta' : 'cumulative',
            points,
          };
        }
        if (metric.sum)
          return { ...base, type: 'sum', points: (metric.sum.dataPoints ?? []).map(numberPoint) };
        return { ...base, type: 'gauge', points: (metric.gauge?.dataPoints ?? []).map(numberPoint) };
      }),
    );
  });
}
