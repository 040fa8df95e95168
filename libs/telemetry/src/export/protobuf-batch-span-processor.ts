import { context, diag, TraceFlags } from '@opentelemetry/api';
import { globalErrorHandler, suppressTracing, type InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { EncodedSpanExporter } from './otlp-protobuf-span-exporter';
import { ProtobufWriter } from './protobuf-writer';
import { SpanProtobufEncoder } from './span-protobuf-encoder';

/** The SDK's batching settings, with the `OTEL_BSP_*` defaults. */
export interface SpanBatchOptions {
  /**
   * Spans held (encoded, not yet accepted by the collector) before new ones are dropped. Four
   * times the SDK's 2048: an encoded span is ~250 bytes, so 8192 hold ~2 MB, a couple of seconds of
   * a busy consumer's spans while a collector is slow. @defaultValue 8192
   */
  maxQueueSize?: number;
  /**
   * Spans per export request. Four times the SDK's 512: a request costs ~0.35 ms of CPU whatever its
   * size up to ~0.5 MB (sender and receiver on this machine, 128 KiB against 512 KiB bodies: 0.35 and
   * 0.57 ms), so 2048 spans (~0.5 MB) a request cost each span a third of what 512 did, for a collector
   * that accepts 4 MB (gRPC's default limit; OTLP/HTTP receivers take 20 MB). @defaultValue 2048
   */
  maxExportBatchSize?: number;
  /** Longest a span waits for its batch to fill, in ms. @defaultValue 5000 */
  scheduledDelayMillis?: number;
  /** Longest one export may take before the next is sent, in ms. @defaultValue 30000 */
  exportTimeoutMillis?: number;
}

interface SealedBatch {
  resource: Resource;
  scopes: Map<InstrumentationScope, Uint8Array>;
  spanCount: number;
}

/**
 * The `BatchSpanProcessor` of the OTLP/protobuf exporter, with the span encoded (through the span
 * allowlist) as it ends rather than when its batch is sent.
 *
 * Why: the SDK's batch processor keeps every ended span object, with its attributes, events and
 * links, for up to `scheduledDelayMillis` or until 512 have ended. At thousands of spans a second
 * they outlive the young generation and are promoted, so the process pays an old-generation
 * collection for each, on the 2 cores the jobs already fill; then the allowlist copies each span
 * and the serializer walks every batch twice (size, then bytes). Here a span is written once into
 * a reused buffer (~200 bytes) and is garbage as soon as `onEnd` returns.
 *
 * Why not a worker thread (measured, docs/performance.md "Third round: tracing"): a span must cross to
 * it as bytes or as a structured clone, and the clone costs the main thread what encoding does (~2.2–2.7
 * µs per span to encode, ~1.4–4.2 µs to build a plain form and `postMessage` it in batches of 512). A
 * thread that only sent the encoded batches took the HTTP request off the event loop (~2.5 µs per job in
 * the io-consumer) but not off the machine: the process's CPU per job and the jobs/s did not move
 * beyond the noise. And the cores are shared: work moved to a thread is still done on them.
 */
export class ProtobufBatchSpanProcessor implements SpanProcessor {
  readonly #encoder = new SpanProtobufEncoder();
  readonly #maxQueueSize: number;
  readonly #maxExportBatchSize: number;
  readonly #scheduledDelayMillis: number;
  readonly #exportTimeoutMillis: number;
  /** The open batch, one writer per instrumentation scope (kept and reused from batch to batch). */
  readonly #open = new Map<InstrumentationScope, ProtobufWriter>();
  #openResource?: Resource;
  #openCount = 0;
  readonly #sealed: SealedBatch[] = [];
  /** Spans ended and not yet through an export, sealed or open. */
  #held = 0;
  #dropped = 0;
  #timer?: NodeJS.Timeout;
  #exporting?: Promise<void>;
  readonly #request = new ProtobufWriter();
  #shuttingDown?: Promise<void>;

  constructor(
    private readonly exporter: EncodedSpanExporter,
    options: SpanBatchOptions = {},
  ) {
    this.#maxQueueSize = positive(options.maxQueueSize, 8192, 'maxQueueSize');
    this.#maxExportBatchSize = Math.min(
      positive(options.maxExportBatchSize, 2048, 'maxExportBatchSize'),
      this.#maxQueueSize,
    );
    this.#scheduledDelayMillis = options.scheduledDelayMillis ?? 5_000;
    this.#exportTimeoutMillis = positive(options.exportTimeoutMillis, 30_000, 'exportTimeoutMillis');
    if (!(this.#scheduledDelayMillis >= 0)) {
      throw new Error(`options.scheduledDelayMillis must be 0 or more, got ${this.#scheduledDelayMillis}`);
    }
  }

  onStart(_span: Span): void {}

  onEnd(span: ReadableSpan): void {
    if (this.#shuttingDown || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.#held >= this.#maxQueueSize) {
      if (this.#dropped++ === 0) diag.warn('span export queue full: dropping spans until it drains');
      return;
    }
    if (this.#openResource !== undefined && span.resource !== this.#openResource) this.#seal();
    this.#openResource = span.resource;
    let writer = this.#open.get(span.instrumentationScope);
    if (!writer) {
      writer = new ProtobufWriter(16_384);
      this.#open.set(span.instrumentationScope, writer);
    }
    const before = writer.length;
    try {
      this.#encoder.write(writer, span);
    } catch (error) {
      // A half-written span would corrupt its batch: drop it alone.
      writer.length = before;
      globalErrorHandler(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    this.#openCount++;
    this.#held++;
    if (this.#openCount >= this.#maxExportBatchSize) this.#sendOpenBatch();
    else this.#timer ??= setTimeout(() => this.#sendOpenBatch(), this.#scheduledDelayMillis).unref();
  }

  /** Sends every held span; resolves once each export has settled. */
  async forceFlush(): Promise<void> {
    this.#seal();
    while (this.#exporting || this.#sealed.length > 0) {
      this.#pump();
      await this.#exporting;
    }
  }

  /** Flushes, then closes the exporter; later spans are ignored. Safe to call twice. */
  shutdown(): Promise<void> {
    this.#shuttingDown ??= this.forceFlush().then(() => this.exporter.shutdown());
    return this.#shuttingDown;
  }

  #sendOpenBatch(): void {
    this.#seal();
    this.#pump();
  }

  #seal(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#openCount === 0 || !this.#openResource) return;
    const scopes = new Map<InstrumentationScope, Uint8Array>();
    for (const [scope, writer] of this.#open) {
      if (writer.length === 0) continue;
      scopes.set(scope, writer.copy());
      writer.reset();
    }
    this.#sealed.push({ resource: this.#openResource, scopes, spanCount: this.#openCount });
    this.#openCount = 0;
  }

  /** One export at a time, as the SDK's processor does: the next batch waits for the previous one. */
  #pump(): void {
    if (this.#exporting) return;
    const batch = this.#sealed.shift();
    if (!batch) return;
    this.#exporting = this.#send(batch)
      .catch(globalErrorHandler)
      .finally(() => {
        this.#held -= batch.spanCount;
        if (this.#dropped > 0) diag.warn(`dropped ${this.#dropped} spans: the span export queue was full`);
        this.#dropped = 0;
        this.#exporting = undefined;
        this.#pump();
      });
  }

  async #send(batch: SealedBatch): Promise<void> {
    const { resource } = batch;
    if (resource.asyncAttributesPending) await resource.waitForAsyncAttributes?.();
    this.#request.reset();
    this.#encoder.writeRequest(this.#request, resource, batch.scopes);
    const body = this.#request.copy();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`span export timed out after ${this.#exportTimeoutMillis} ms`)),
        this.#exportTimeoutMillis,
      );
    });
    // The export's own HTTP request must not be traced (a span per export, exported in turn).
    const exported = context.with(suppressTracing(context.active()), () =>
      this.exporter.export({ body, spanCount: batch.spanCount }),
    );
    // Past the timeout the export may still fail; that is already reported as the timeout.
    exported.catch(() => undefined);
    try {
      await Promise.race([exported, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`options.${name} must be a positive integer, got ${value}`);
  }
  return value;
}
