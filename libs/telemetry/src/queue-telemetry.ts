import { SpanStatusCode, trace, type Context, type Tracer as OtelTracer } from '@opentelemetry/api';
import type { Attributes, Span, SpanOptions, Telemetry, Time, Tracer } from 'bullmq';
import { BullMQOtel, BullMQOTelSpan } from 'bullmq-otel';

/**
 * What `bullmq-otel` 2 with BullMQ 6 does (read in their sources, `trace()` in BullMQ's utils):
 * - `Queue.add(name)` opens a PRODUCER span `add <queue>.<name>` and stores the W3C context in
 *   `job.opts.telemetry.metadata`; `addBulk` opens one `addBulk <queue>` span for all its jobs.
 * - `Worker` opens one CONSUMER span `process <queue>` per attempt whose **parent** (not a link)
 *   is that stored context, so producer and consumer share one trace.
 * - A failed attempt only gets a `job failed` event; its span status stays UNSET.
 * We keep BullMQ's spans and context handling and change three things: producer spans take the
 * messaging name DESIGN.md uses (`publish <lane>`), every span gets `messaging.*` attributes
 * (BullMQ keeps its own `bullmq.*` ones), and a failed attempt's span gets status ERROR.
 */
const MESSAGING_SYSTEM = 'messaging.system';
const MESSAGING_DESTINATION = 'messaging.destination.name';
const MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
const MESSAGING_OPERATION_NAME = 'messaging.operation.name';
const BULLMQ_FAILED_EVENT = 'job failed';
const BULLMQ_FAILED_REASON = 'bullmq.job.failed.reason';

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
    if (name === BULLMQ_FAILED_EVENT) {
      const reason = attributes?.[BULLMQ_FAILED_REASON];
      this.span.setStatus({
        code: SpanStatusCode.ERROR,
        message: typeof reason === 'string' ? reason : name,
      });
    }
  }
}

class QueueTracer implements Tracer<Context> {
  constructor(private readonly tracer: OtelTracer) {}

  startSpan(name: string, options?: SpanOptions, ctx?: Context): Span<Context> {
    const messaging = messagingName(name);
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
}

/**
 * BullMQ telemetry to pass as `telemetry` to every `Queue` and `Worker`: producer span
 * `publish <lane>`, consumer span `process <lane>` per attempt, both in the job's trace.
 * Safe to create before `startTelemetry` (the tracer resolves lazily); a no-op without an SDK.
 */
export function bullmqTelemetry(options: BullmqTelemetryOptions = {}): Telemetry<Context> {
  const tracerName = options.tracerName ?? 'switchyard-queue';
  const otel = new BullMQOtel({ tracerName });
  return { tracer: new QueueTracer(trace.getTracer(tracerName)), contextManager: otel.contextManager };
}
