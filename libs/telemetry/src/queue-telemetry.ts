import {
  context,
  createContextKey,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  propagation,
  ProxyTracerProvider,
  SpanStatusCode,
  trace,
  type Attributes as OtelAttributes,
  type Context,
  type Span as OtelSpan,
  type Tracer as OtelTracer,
} from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { SwitchyardAttributes } from '@switchyard/contracts';
import type {
  AttributeValue,
  Attributes,
  ContextManager,
  Exception,
  Span,
  SpanOptions,
  Telemetry,
  Time,
  Tracer,
} from 'bullmq';
import {
  ERROR_TYPE_OTHER,
  MESSAGING_SYSTEM,
  MessagingAttributes,
  MessagingOperation,
  messagingServerOf,
  type MessagingServer,
} from './messaging-attributes';

/**
 * What `bullmq-otel` 2 with BullMQ 6 does (read in their sources, `trace()` in BullMQ's utils):
 * - `Queue.add(name)` opens a PRODUCER span `add <queue>.<name>` and stores the W3C context in
 *   `job.opts.telemetry.metadata`; `addBulk` opens one `addBulk <queue>` span for all its jobs.
 * - `Worker` opens one CONSUMER span `process <queue>` per attempt whose **parent** (not a link)
 *   is that stored context, so producer and consumer share one trace.
 * - A failed attempt only gets a `job failed` event; its span status stays UNSET.
 * We keep BullMQ's spans and context handling and make them follow the OpenTelemetry messaging
 * conventions: producer spans are `publish <lane>` (operation type `send`), consumer spans
 * `process <lane>`, each with `messaging.system`, `messaging.destination.name`,
 * `messaging.operation.type`/`.name`, `messaging.message.id` (the job id; BullMQ's `bullmq.job.id`),
 * `messaging.batch.message_count` (BullMQ's `bullmq.job.bulk.count`) and `server.address`/`.port`.
 * A failed attempt's span gets status ERROR and `error.type` (the error's name); a cancelled one keeps
 * status UNSET (a client's choice, not an error) with `switchyard.outcome` = `cancelled`. BullMQ's
 * internal spans (`complete <queue>` per job, stalled-job checks, `close`) are not recorded unless
 * asked for; and a span keeps only the attributes in `KEPT_ATTRIBUTES`, without the
 * `job completed` event.
 *
 * Why the trimming: BullMQ sets 13 attributes and one event on every consumer span, most of them
 * the queue's and the worker's names again (the messaging attributes and the resource say them),
 * its two timestamps (the span's own times), the job's result and error text (which the span
 * allowlist drops at export anyway), and an array of every job name on a bulk add. Each costs
 * the SDK's validation and copy, the encoding and the collector's decoding, on every job.
 * The job's data and options are never span attributes; they reached the trace backend only
 * inside the Redis `evalsha` span's query text, which holds the command name alone
 * (`redaction/redis-query-text.ts`).
 */
const KEPT_ATTRIBUTES: ReadonlySet<string> = new Set(['bullmq.job.name', 'bullmq.job.attempts.made']);
/** BullMQ's attributes that have a name in the messaging conventions: set under that name instead. */
const RENAMED_ATTRIBUTES: ReadonlyMap<string, string> = new Map([
  ['bullmq.job.id', MessagingAttributes.MessageId],
  ['bullmq.job.bulk.count', MessagingAttributes.BatchMessageCount],
]);
const BULLMQ_FAILED_EVENT = 'job failed';
const BULLMQ_FAILED_REASON = 'bullmq.job.failed.reason';
/** Names of BullMQ's span events worth keeping; the others say what the span's end says. */
const KEPT_EVENTS: ReadonlySet<string> = new Set([BULLMQ_FAILED_EVENT]);
/** The lane worker stores a failed reason as `<error name>: <message>`. */
const NAMED_REASON = /^([A-Za-z]+Error): /;
const CANCELLED_ERROR = 'JobCancelledError';

/**
 * Marks a context whose work must not be traced: Redis commands under a bulk add (one per job,
 * "a batch links to its jobs instead of parenting thousands of spans") and under an internal span
 * that is not recorded. Read by `QueueContextManager.with`, so the context still carries (and
 * hands to the jobs) the span's trace context, which `suppressTracing` alone would withhold.
 */
const UNTRACED_CHILDREN = createContextKey('switchyard.queue.untraced-children');

interface MessagingName {
  name: string;
  attributes: OtelAttributes;
  /** Commands under it are not traced. */
  bulk: boolean;
}

/** Lane names hold no dots (`[a-z][a-z0-9-]*`), so `add <lane>.<task>` splits at the first one. */
function messagingName(bullmqName: string, server?: MessagingServer): MessagingName | undefined {
  const [operation, destination = ''] = bullmqName.split(' ', 2);
  const publish = operation === 'add' || operation === 'addBulk';
  if (!publish && operation !== 'process') return undefined;
  const queue = publish ? destination.split('.', 1)[0] : destination;
  return {
    name: publish ? `publish ${queue}` : bullmqName,
    bulk: operation === 'addBulk',
    attributes: {
      [MessagingAttributes.System]: MESSAGING_SYSTEM,
      [MessagingAttributes.SystemName]: MESSAGING_SYSTEM,
      [MessagingAttributes.DestinationName]: queue,
      [MessagingAttributes.OperationType]: publish ? MessagingOperation.Send : MessagingOperation.Process,
      [MessagingAttributes.OperationName]: publish ? 'publish' : 'process',
      ...(server
        ? {
            [MessagingAttributes.ServerAddress]: server.address,
            [MessagingAttributes.ServerPort]: server.port,
          }
        : {}),
    },
  };
}

/** Span names are lanes and task names, a handful per process; the bound is a guard. */
const NAME_CACHE_LIMIT = 1_000;

class QueueSpan implements Span<Context> {
  constructor(
    private readonly span: OtelSpan,
    private readonly untracedChildren: boolean,
  ) {}

  setSpanOnContext(ctx: Context): Context {
    const withSpan = trace.setSpan(ctx, this.span);
    return this.untracedChildren ? withSpan.setValue(UNTRACED_CHILDREN, true) : withSpan;
  }

  setAttribute(key: string, value: AttributeValue): void {
    const renamed = RENAMED_ATTRIBUTES.get(key);
    if (renamed !== undefined) this.span.setAttribute(renamed, value);
    else if (KEPT_ATTRIBUTES.has(key)) this.span.setAttribute(key, value);
  }

  setAttributes(attributes: Attributes): void {
    for (const key in attributes) {
      const value = attributes[key];
      if (value !== undefined) this.setAttribute(key, value);
    }
  }

  /**
   * Only the event's name: BullMQ's event attributes are the job's result or its error text. Of the
   * failed reason only the error's name is read, for `error.type` (no status message: the reason is
   * the job's error text, which may quote its payload).
   */
  addEvent(name: string, attributes?: Attributes, time?: Time): void {
    if (!KEPT_EVENTS.has(name)) return;
    this.span.addEvent(name, time);
    if (name !== BULLMQ_FAILED_EVENT) return;
    const reason = attributes?.[BULLMQ_FAILED_REASON];
    const errorType = (typeof reason === 'string' && NAMED_REASON.exec(reason)?.[1]) || ERROR_TYPE_OTHER;
    if (errorType === CANCELLED_ERROR) {
      this.span.setAttribute(SwitchyardAttributes.Outcome, 'cancelled');
      return;
    }
    this.span.setAttribute(MessagingAttributes.ErrorType, errorType);
    this.span.setStatus({ code: SpanStatusCode.ERROR });
  }

  recordException(exception: Exception, time?: Time): void {
    this.span.recordException(exception, time);
  }

  end(): void {
    this.span.end();
  }
}

class QueueContextManager implements ContextManager<Context> {
  with<A extends (...args: never[]) => unknown>(ctx: Context, fn: A): ReturnType<A> {
    const effective = ctx.getValue(UNTRACED_CHILDREN) === true ? suppressTracing(ctx) : ctx;
    return context.with(effective, fn as () => ReturnType<A>);
  }

  active(): Context {
    return context.active();
  }

  getMetadata(ctx: Context): string {
    const carrier: Record<string, string> = {};
    propagation.inject(ctx, carrier);
    return JSON.stringify(carrier);
  }

  fromMetadata(activeContext: Context, metadata: string): Context {
    return propagation.extract(activeContext, JSON.parse(metadata) as Record<string, string>);
  }
}

class QueueTracer implements Tracer<Context> {
  readonly #names = new Map<string, MessagingName | null>();

  constructor(
    private readonly tracer: OtelTracer,
    private readonly internalSpans: boolean,
    private readonly server?: MessagingServer,
  ) {}

  startSpan(name: string, options?: SpanOptions, ctx?: Context): Span<Context> {
    const messaging = this.#messagingName(name);
    if (!messaging && !this.internalSpans) {
      // Not recorded, but carrying its parent's context, so what runs under it keeps its parent;
      // with no parent, nothing under it (Redis commands) is recorded.
      const parent = trace.getSpanContext(ctx ?? context.active());
      const valid = parent !== undefined && isSpanContextValid(parent);
      return new QueueSpan(trace.wrapSpanContext(valid ? parent : INVALID_SPAN_CONTEXT), !valid);
    }
    if (!messaging) return new QueueSpan(this.tracer.startSpan(name, options, ctx), false);
    const span = this.tracer.startSpan(messaging.name, options, ctx);
    // Set after the start, not given to it: the SDK validates and copies start attributes twice.
    if (span.isRecording()) span.setAttributes(messaging.attributes);
    return new QueueSpan(span, messaging.bulk);
  }

  #messagingName(name: string): MessagingName | undefined {
    let cached = this.#names.get(name);
    if (cached === undefined) {
      cached = messagingName(name, this.server) ?? null;
      if (this.#names.size < NAME_CACHE_LIMIT) this.#names.set(name, cached);
    }
    return cached ?? undefined;
  }
}

export interface BullmqTelemetryOptions {
  /** Instrumentation scope name of the queue spans. @defaultValue switchyard-queue */
  tracerName?: string;
  /** Also record BullMQ's internal spans (`complete <queue>`, stalled checks, `close`). @defaultValue false */
  internalSpans?: boolean;
  /** The queues' Redis URL (REDIS_URL), named on every span as `server.address` and `server.port`. @defaultValue not named */
  redisUrl?: string;
}

/**
 * BullMQ telemetry to pass as `telemetry` to every `Queue` and `Worker`: producer span
 * `publish <lane>`, consumer span `process <lane>` per attempt, both in the job's trace.
 * Safe to create before `startTelemetry` (the tracer resolves lazily); a no-op without an SDK.
 */
export function bullmqTelemetry(options: BullmqTelemetryOptions = {}): Telemetry<Context> {
  const tracerName = options.tracerName ?? 'switchyard-queue';
  return {
    tracer: new QueueTracer(
      trace.getTracer(tracerName),
      options.internalSpans ?? false,
      options.redisUrl === undefined ? undefined : messagingServerOf(options.redisUrl),
    ),
    contextManager: new QueueContextManager(),
  };
}

/**
 * `bullmqTelemetry(options)` when a tracer provider is registered (`startTelemetry` with tracing on),
 * else undefined: with no tracer every hook BullMQ calls per job (a span per attempt and per completion,
 * the context switches around them) records nothing and costs ~18 µs of the consumer's event loop per job.
 * Call it after `startTelemetry`. Without it the processor sees no consumer span, and a job keeps the
 * trace context it was submitted with.
 */
export function bullmqTelemetryWhenTracing(
  options: BullmqTelemetryOptions = {},
): Telemetry<Context> | undefined {
  const provider = trace.getTracerProvider();
  const registered =
    !(provider instanceof ProxyTracerProvider) ||
    provider.getDelegateTracer(options.tracerName ?? 'switchyard-queue') !== undefined;
  return registered ? bullmqTelemetry(options) : undefined;
}
