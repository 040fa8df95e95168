import {
  createTraceState,
  TraceFlags,
  type Attributes,
  type HrTime,
  type Link,
  type SpanContext,
  type SpanKind,
  type SpanStatus,
} from '@opentelemetry/api';
import { hrTimeDuration, type InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, Span, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace';

/** A finished span as plain data: what a thread recorded, or what a batch's job spans are. */
export interface RecordedSpan {
  name: string;
  kind: SpanKind;
  scope: InstrumentationScope;
  traceId: string;
  spanId: string;
  /** Absent for a root span. */
  parentSpanId?: string;
  /** The W3C flags the span was started under (its parent's, or sampled for a root). */
  traceFlags: number;
  traceState?: string;
  startTime: HrTime;
  endTime: HrTime;
  attributes: Attributes;
  events: TimedEvent[];
  links: Link[];
  status: SpanStatus;
}

/** How the configured sampler decides: see `RecordedSpanSink.forSampler`. */
type Sampling = 'parent' | 'always_on' | 'always_off';

/**
 * Hands spans recorded as plain data to the exporting span processors as they are, instead of
 * re-creating each through the SDK's tracer: the execute spans that threads, children and the event loop
 * recorded (`runInExecuteSpan`), and the api's `create <lane>` span per job of a batch.
 *
 * Why: a record is already a finished span, and the SDK's `startSpan` → `setAttribute`s → `end` path
 * validated and copied each attribute, built a `Span` with its own clock, limits and bookkeeping and
 * called every processor, to end up with the same values: ~6 µs of the io-consumer's event loop per job
 * at 100 % sampling, and in the api 500 `Span` objects per batch alive while the batch is written
 * (`npm run bench:profile -- --traced`; docs/performance.md, "Third round: tracing").
 *
 * It stands first among the provider's processors, where `onStart` learns the provider's resource from
 * the first span this process starts (the HTTP server span of a request, a consumer's `process <lane>`
 * span): the batch processor groups spans by that object. Until then, and with a sampler whose decision
 * needs the SDK (`forSampler`), callers go through the SDK as before; otherwise a span is exported
 * exactly when the SDK would have recorded it.
 */
export class RecordedSpanSink implements SpanProcessor {
  #resource?: Resource;

  private constructor(
    private readonly exporting: readonly SpanProcessor[],
    private readonly sampling: Sampling,
  ) {}

  /**
   * A sink for the sampler `OTEL_TRACES_SAMPLER` names, or undefined when its decision needs the SDK
   * (`traceidratio`, `parentbased_traceidratio`, `parentbased_always_off`, `jaeger_remote`…). The
   * default, `parentbased_always_on`, records a child when its parent was sampled and every root;
   * `always_on` records every span, `always_off` none.
   */
  static forSampler(
    env: NodeJS.ProcessEnv,
    exporting: readonly SpanProcessor[],
  ): RecordedSpanSink | undefined {
    const sampler = env.OTEL_TRACES_SAMPLER?.trim() || 'parentbased_always_on';
    if (sampler === 'always_on' || sampler === 'always_off') return new RecordedSpanSink(exporting, sampler);
    if (sampler === 'parentbased_always_on') return new RecordedSpanSink(exporting, 'parent');
    return undefined;
  }

  /** True when a new root span may be recorded here: it would be sampled, and a resource is known. */
  get recordsRoots(): boolean {
    return this.#resource !== undefined && this.sampling !== 'always_off';
  }

  onStart(span: Span): void {
    this.#resource ??= span.resource;
  }

  onEnd(): void {}

  /** The exporting processors are the provider's too: it flushes and shuts them down itself. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  /** @returns false when the SDK must record it instead (no resource known yet). */
  export(record: RecordedSpan): boolean {
    const resource = this.#resource;
    if (!resource) return false;
    let traceFlags = record.traceFlags;
    if (this.sampling === 'always_off') return true;
    if (this.sampling === 'always_on') traceFlags |= TraceFlags.SAMPLED;
    else if ((traceFlags & TraceFlags.SAMPLED) === 0) return true;
    const span = readableSpan(record, traceFlags, resource);
    for (const processor of this.exporting) processor.onEnd(span);
    return true;
  }
}

let installed: RecordedSpanSink | undefined;

/** Called by `startTelemetry` with the sink it put before the exporting processors. */
export function installRecordedSpanSink(sink: RecordedSpanSink): void {
  installed = sink;
}

/** The sink `startTelemetry` installed, if tracing is on and the sampler allows one. */
export function recordedSpanSink(): RecordedSpanSink | undefined {
  return installed;
}

function readableSpan(record: RecordedSpan, traceFlags: number, resource: Resource): ReadableSpan {
  const traceState = record.traceState ? createTraceState(record.traceState) : undefined;
  const context: SpanContext = { traceId: record.traceId, spanId: record.spanId, traceFlags, traceState };
  const parent: SpanContext | undefined = record.parentSpanId
    ? { ...context, spanId: record.parentSpanId, traceFlags: record.traceFlags, isRemote: true }
    : undefined;
  return {
    name: record.name,
    kind: record.kind,
    spanContext: () => context,
    parentSpanContext: parent,
    startTime: record.startTime,
    endTime: record.endTime,
    duration: hrTimeDuration(record.startTime, record.endTime),
    status: record.status,
    attributes: record.attributes,
    links: record.links,
    events: record.events,
    ended: true,
    resource,
    instrumentationScope: record.scope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}
