import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { allowlistedSpan } from './span-allowlist';

/**
 * Wraps the processor that feeds an exporter, so every span this process exports, from any
 * instrumentation (HTTP, ioredis, BullMQ, the execute spans handed over by threads and children),
 * leaves it only through `allowlistedSpan`. An allowlist and not a denylist: a new
 * instrumentation or a new attribute is kept out until someone decides it may go.
 */
export class AllowlistSpanProcessor implements SpanProcessor {
  constructor(private readonly exporting: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    this.exporting.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    this.exporting.onEnd(allowlistedSpan(span));
  }

  forceFlush(): Promise<void> {
    return this.exporting.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.exporting.shutdown();
  }
}
