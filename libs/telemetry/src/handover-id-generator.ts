import { RandomIdGenerator, type IdGenerator } from '@opentelemetry/sdk-trace';

/**
 * The SDK's id generator, with one twist: a span recorded in a thread or child process keeps the
 * span id it was given there (log lines written there carry it). The SDK offers no other way to
 * export a span with a given id through its normal pipeline (sampler, processors, resource), and
 * `Tracer.startSpan` asks for the span id first and synchronously, so handing it over just before
 * the call is exact.
 */
export class HandoverIdGenerator implements IdGenerator {
  readonly #random = new RandomIdGenerator();
  #nextSpanId: string | undefined;

  generateTraceId(): string {
    return this.#random.generateTraceId();
  }

  generateSpanId(): string {
    const handed = this.#nextSpanId;
    if (handed === undefined) return this.#random.generateSpanId();
    this.#nextSpanId = undefined;
    return handed;
  }

  /** Runs `startSpan` so that the span it starts gets `spanId`. */
  withSpanId<T>(spanId: string, startSpan: () => T): T {
    this.#nextSpanId = spanId;
    try {
      return startSpan();
    } finally {
      this.#nextSpanId = undefined;
    }
  }
}

/** The one instance `startTelemetry` gives the SDK. */
export const handoverIds = new HandoverIdGenerator();
