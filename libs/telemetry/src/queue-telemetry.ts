import { randomBytes } from 'node:crypto';
import {
  context,
  isSpanContextValid,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Context,
  type SpanContext,
  type Tracer as OtelTracer,
} from '@opentelemetry/api';
import type { Attributes, Span, SpanOptions, Telemetry, Time, Tracer } from 'bullmq';
import { BullMQOtel, BullMQOTelSpan } from 'bullmq-otel';

/**
 * What `bullmq-otel` 2 with BullMQ 6 does (read in their sources, `trace()` in BullMQ's utils):
 * - `Queue.add(name)` opens a PRODUCER span `add <queue>.<name>` and stores the W3C context in
 *   `job.opts.telemetry.metadata`; `addBulk` opens one `addBulk <queue>` span for all its jobs.
 * - `Worker` opens one CONSUMER span `process <queue>` per attempt whose **parent** (not a link)
 *   is that stored context, so producer and consumer share one trace.
 * - A failed attempt only gets a `job failed` event; its span status stays UNSET.
 * We keep BullMQ's spans and context handling and change four things: producer spans take the
 * messaging name DESIGN.md uses (`publish <lane>`), every span gets `messaging.*` attributes
 * (BullMQ keeps its own `bullmq.*` ones), a failed attempt's span gets status ERROR, and BullMQ's
 * internal spans (`complete <queue>` per job, stalled-job checks, `close`) are not recorded unless
 * asked for: they are not in the job's story and cost a span per job.
 * BullMQ also puts the job's result (`bullmq.job.result` on the `job completed` event) and its
 * error text (`bullmq.job.failed.reason` on `job failed`) on the consumer span; the span
 * allowlist drops both at export (`redaction/span-allowlist.ts`). The job's data and options are
 * never span attributes; they reached the trace backend only inside the Redis `evalsha` span's
 * query text, which now holds the command name alone (`redaction/redis-query-text.ts`).
 */
const MESSAGING_SYSTEM = 'messaging.system';
const MESSAGING_DESTINATION = 'messaging.destination.name';
const MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
const MESSAGING_OPERATION_NAME = 'messaging.operation.name';
const BULLMQ_FAILED_EVENT = 'job failed';

interface MessagingName {
  name: string;
  queue: string;
  operation: 'publish' | 'process';
}

/** Lane names hold no dots (`[a-z][a-z0-9-]*`), so `add <lane>.<task>` splits at the first one. */
function messagingName(bullmqName: string): MessagingName | undefined {
  const [operation, destination = ''] = bullmqName.split(' ', 2);
  if (operation === 'add' || operation === 'addBulk') {
    const queue = destination.split('.', 1)[0];
    return { name: `publish ${queue}`, queue, operation: 'publish' };
  }
  if (operation === 'process') return { name: bullmqName, queue: destination, operation: 'process' };
  return undefined;
}

class QueueSpan extends BullMQOTelSpan {
  override addEvent(name: string, attributes?: Attributes, time?: Time): void {
    super.addEvent(name, attributes, time);
    // No status message: the failed reason is the job's error text, which may quote its payload.
    if (name === BULLMQ_FAILED_EVENT) this.span.setStatus({ code: SpanStatusCode.ERROR });
  }
}

function unsampledContext(): SpanContext {
  return {
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    traceFlags: TraceFlags.NONE,
  };
}

class QueueTracer implements Tracer<Context> {
  constructor(
    private readonly tracer: OtelTracer,
    private readonly internalSpans: boolean,
  ) {}

  startSpan(name: string, options?: SpanOptions, ctx?: Context): Span<Context> {
    const messaging = messagingName(name);
    if (!messaging && !this.internalSpans) {
      // Not recorded, but carrying its parent's context, so what runs under it keeps its parent;
      // with no parent, an unsampled context, so what runs under it (Redis commands) is not recorded.
      const parent = trace.getSpanContext(ctx ?? context.active());
      return new QueueSpan(
        trace.wrapSpanContext(parent && isSpanContextValid(parent) ? parent : unsampledContext()),
      );
    }
    const span = this.tracer.startSpan(messaging?.name ?? name, options, ctx);
    if (messaging) {
      span.setAttributes({
        [MESSAGING_SYSTEM]: 'bullmq',
        [MESSAGING_DESTINATION]: messaging.queue,
        [MESSAGING_OPERATION_TYPE]: messaging.operation === 'publish' ? 'send' : 'process',
        [MESSAGING_OPERATION_NAME]: messaging.operation,
      });
    }
    return new QueueSpan(span);
  }
}

export interface BullmqTelemetryOptions {
  /** Instrumentation scope name of the queue spans. @defaultValue switchyard-queue */
  tracerName?: string;
  /** Also record BullMQ's internal spans (`complete <queue>`, stalled checks, `close`). @defaultValue false */
  internalSpans?: boolean;
}

/**
 * BullMQ telemetry to pass as `telemetry` to every `Queue` and `Worker`: producer span
 * `publish <lane>`, consumer span `process <lane>` per attempt, both in the job's trace.
 * Safe to create before `startTelemetry` (the tracer resolves lazily); a no-op without an SDK.
 */
export function bullmqTelemetry(options: BullmqTelemetryOptions = {}): Telemetry<Context> {
  const tracerName = options.tracerName ?? 'switchyard-queue';
  const otel = new BullMQOtel({ tracerName });
  return {
    tracer: new QueueTracer(trace.getTracer(tracerName), options.internalSpans ?? false),
    contextManager: otel.contextManager,
  };
}
