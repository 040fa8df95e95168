import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EncodedSpanExporter, EncodedSpans } from './otlp-protobuf-span-exporter';
import type { SpanExportReply, SpanExportRequest } from './span-export-messages';

const THREAD_ENTRY = path.join(__dirname, 'span-export-thread.worker.js');

interface PendingRequest {
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Sends the encoded batches of a `ProtobufBatchSpanProcessor` from a span-export worker thread: the
 * HTTP request (the OTLP transport, its agent, retries and response parsing) runs there, and the
 * batch's bytes cross without a copy (the buffer is transferred).
 *
 * Why bytes and not the spans: a span handed to a thread is copied by the structured clone, which
 * costs the sending thread as much as encoding it (measured on this machine: ~2.2–2.7 µs per span to
 * encode, ~1.4–4.2 µs to build a plain form and `postMessage` it in batches of 512), so the encoding
 * stays where the span ends and only the transport moves.
 *
 * The thread is unreferenced while idle, so it never keeps a process alive, and referenced while a
 * batch is out, so a clean stop (`shutdownTelemetry`) waits for the last batch's answer. If the
 * thread dies, every export from then on rejects with why (the processor reports it).
 */
export class ThreadSpanExporter implements EncodedSpanExporter {
  readonly #worker: Worker;
  readonly #pending = new Map<number, PendingRequest>();
  #nextId = 0;
  #failure?: Error;
  #shutdown?: Promise<void>;

  constructor() {
    this.#worker = new Worker(THREAD_ENTRY);
    this.#worker.unref();
    this.#worker.on('message', (reply: SpanExportReply) => this.#settle(reply));
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.on('exit', (code) =>
      this.#fail(new Error(`the span-export thread exited with code ${code}`)),
    );
  }

  export(batch: EncodedSpans): Promise<void> {
    const { body } = batch;
    // The processor hands over a fresh copy of its buffer: moved, not cloned, when it is a whole one.
    const whole = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
    return this.#request(
      { kind: 'export', id: this.#nextId++, body, spanCount: batch.spanCount },
      whole ? [body.buffer as ArrayBuffer] : [],
    );
  }

  /** Lets the thread finish its export and close its connections, then stops it. Safe to call twice. */
  shutdown(): Promise<void> {
    this.#shutdown ??= this.#request({ kind: 'shutdown', id: this.#nextId++ })
      .catch(() => undefined)
      .then(async () => {
        await this.#worker.terminate();
      });
    return this.#shutdown;
  }

  #request(request: SpanExportRequest, transfer: ArrayBuffer[] = []): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#pending.set(request.id, { resolve, reject });
      if (this.#pending.size === 1) this.#worker.ref();
      this.#worker.postMessage(request, transfer);
    });
  }

  #settle(reply: SpanExportReply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if (reply.error === undefined) pending.resolve();
    else pending.reject(new Error(reply.error));
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const pending of this.#pending.values()) pending.reject(this.#failure);
    this.#pending.clear();
    this.#worker.unref();
  }
}
