import { createTraceState, SpanKind, TraceFlags, type HrTime, type SpanContext } from '@opentelemetry/api';
import { hrTimeDuration, type InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { ExecuteSpanRecord } from '../execute-span-record';

const EXECUTE_SCOPE: InstrumentationScope = { name: 'switchyard-execution' };

/** How the configured sampler decides for a span whose parent is known: see `forSampler`. */
type ExecuteSpanSampling = 'parent' | 'always_on' | 'always_off';

/**
 * Hands the execute spans that threads, children and the event loop recorded (`runInExecuteSpan`) to
 * the exporting span processors as they are, instead of re-creating each through the SDK's tracer.
 *
 * Why: a record is already a finished span (ids, times, attributes, status, events), and the SDK's
 * `startSpan` → `setAttribute`s → `end` path validated and copied each of its ten attributes, built a
 * `Span` with its own clock and limits and called every processor, to end up with the same values:
 * ~6 µs of the io-consumer's event loop per job at 100 % sampling (`npm run bench:profile -- --traced`).
 *
 * It stands first among the provider's processors, where `onStart` learns the provider's resource
 * from the first span this process starts (a consumer's `process <lane>` span opens before any run):
 * the batch processor groups spans by that object. Until then, and with a sampler whose decision
 * needs the SDK (`forSampler`), `exportExecuteSpan` goes through the SDK as before; otherwise a record
 * is exported exactly when the SDK would have recorded it.
 */
export class ExecuteSpanSink implements SpanProcessor {
  #resource?: Resource;

  private constructor(
    private readonly exporting: readonly SpanProcessor[],
    private readonly sampling: ExecuteSpanSampling,
  ) {}

  /**
   * A sink for the sampler `OTEL_TRACES_SAMPLER` names, or undefined when its decision for a child
   * span needs the SDK (`traceidratio`, `jaeger_remote`…). The parent-based ones (the default) record
   * a span when its parent was sampled; `always_on` records every span and `always_off` none.
   */
  static forSampler(
    env: NodeJS.ProcessEnv,
    exporting: readonly SpanProcessor[],
  ): ExecuteSpanSink | undefined {
    const sampler = env.OTEL_TRACES_SAMPLER?.trim() ?? '';
    if (sampler === '' || sampler.startsWith('parentbased_')) return new ExecuteSpanSink(exporting, 'parent');
    if (sampler === 'always_on' || sampler === 'always_off') return new ExecuteSpanSink(exporting, sampler);
    return undefined;
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
  export(record: ExecuteSpanRecord): boolean {
    const resource = this.#resource;
    if (!resource) return false;
    let traceFlags = record.traceFlags;
    if (this.sampling === 'always_off') return true;
    if (this.sampling === 'always_on') traceFlags |= TraceFlags.SAMPLED;
    else if ((traceFlags & TraceFlags.SAMPLED) === 0) return true;
    const span = recordedSpan(record, traceFlags, resource);
    for (const processor of this.exporting) processor.onEnd(span);
    return true;
  }
}

function recordedSpan(record: ExecuteSpanRecord, traceFlags: number, resource: Resource): ReadableSpan {
  const traceState = record.traceState ? createTraceState(record.traceState) : undefined;
  const context: SpanContext = {
    traceId: record.traceId,
    spanId: record.spanId,
    traceFlags,
    traceState,
  };
  const parent: SpanContext = {
    ...context,
    spanId: record.parentSpanId,
    traceFlags: record.traceFlags,
    isRemote: true,
  };
  const endTime: HrTime = record.endTime;
  return {
    name: record.name,
    kind: SpanKind.INTERNAL,
    spanContext: () => context,
    parentSpanContext: parent,
    startTime: record.startTime,
    endTime,
    duration: hrTimeDuration(record.startTime, endTime),
    status: record.status,
    attributes: record.attributes,
    links: [],
    events: record.events,
    ended: true,
    resource,
    instrumentationScope: EXECUTE_SCOPE,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}
