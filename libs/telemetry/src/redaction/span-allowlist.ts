import type { Attributes, AttributeValue, Link, SpanContext, SpanStatus } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { ERRORS_WITH_SAFE_MESSAGES, MAX_SAFE_MESSAGE_CHARS, stackFrames } from './error-description';
import { REDIS_QUERY_TEXT } from './redis-query-text';

/**
 * The only span, event and link attributes that leave the process: ids, names from the catalog
 * or the configuration, numbers, and protocol facts the server chose. Anything else is dropped
 * (and counted in the span's `droppedAttributesCount`), so an instrumentation that starts adding
 * a new attribute, or a value a client sent, cannot reach the trace backend unnoticed: to export
 * a new attribute, add its name here after checking where its value comes from.
 *
 * Left out on purpose: `url.path`/`url.query`/`url.full` and the old `http.target`/`http.url`
 * (ids and query strings as the client typed them: `http.route` holds the template),
 * `user_agent.original`, `client.address` (from `X-Forwarded-For`), `server.address` (from the
 * `Host` header on an HTTP server span; kept only on messaging spans, where it is the configured
 * Redis host: see `MESSAGING_ONLY`), every `http.request.header.*`, BullMQ's `bullmq.job.result`,
 * `bullmq.job.failed.reason`, `bullmq.job.options`, `bullmq.job.progress`,
 * `bullmq.job.deduplication.key` and `bullmq.job.key`.
 */
const ALLOWED_ATTRIBUTES: ReadonlySet<string> = new Set([
  // Where a task ran.
  'thread.id',
  'process.pid',
  // Messaging (queue-telemetry.ts, batch-job-traces.ts) and BullMQ's own ids, names and counts.
  'messaging.system',
  'messaging.system.name',
  'messaging.destination.name',
  'messaging.operation.type',
  'messaging.operation.name',
  'messaging.message.id',
  'messaging.batch.message_count',
  'bullmq.queue.name',
  'bullmq.queue.operation',
  'bullmq.job.name',
  'bullmq.job.id',
  'bullmq.job.ids',
  'bullmq.job.bulk.names',
  'bullmq.job.attempts.made',
  'bullmq.job.attempt_finished_timestamp',
  'bullmq.job.processed.timestamp',
  'bullmq.worker.id',
  'bullmq.worker.name',
  // HTTP server spans, by route template.
  'http.request.method',
  'http.response.status_code',
  'http.route',
  'url.scheme',
  'network.protocol.name',
  'network.protocol.version',
  'network.peer.address',
  'network.peer.port',
  'server.port',
  'error.type',
  // Redis command spans: db.query.text/db.statement are kept only in redisQueryText's shape.
  'db.system',
  'db.system.name',
  'db.operation',
  'db.operation.name',
  // Exceptions: the type always; message and stack only as keepExceptionAttributes allows.
  'exception.type',
  'exception.escaped',
]);

/**
 * Allowed on a span that carries `messaging.system` only: there Switchyard set it from REDIS_URL,
 * while on an HTTP server span it is whatever `Host` header the client sent.
 */
const MESSAGING_ONLY: ReadonlySet<string> = new Set(['server.address']);
const MESSAGING_MARK = 'messaging.system';

/** Our own namespace (`SwitchyardAttributes`): everything in it is an id, a name or a number. */
const ALLOWED_PREFIX = 'switchyard.';
const QUERY_TEXT_ATTRIBUTES = new Set(['db.query.text', 'db.statement']);
const EXCEPTION_TYPE = 'exception.type';
const EXCEPTION_MESSAGE = 'exception.message';
const EXCEPTION_STACKTRACE = 'exception.stacktrace';
/** An error name or code; a type in any other shape could be text and is exported as `Error`. */
const EXCEPTION_TYPE_SHAPE = /^[\w$.]{1,100}$/;

function isAllowed(key: string, value: unknown, messaging: boolean): boolean {
  if (ALLOWED_ATTRIBUTES.has(key) || key.startsWith(ALLOWED_PREFIX)) return true;
  if (MESSAGING_ONLY.has(key)) return messaging && typeof value === 'string';
  return QUERY_TEXT_ATTRIBUTES.has(key) && typeof value === 'string' && REDIS_QUERY_TEXT.test(value);
}

interface Filtered {
  attributes: Attributes;
  dropped: number;
}

/** Receives each attribute that may leave the process. */
export type KeepAttribute = (key: string, value: AttributeValue) => void;

/** Exception attributes: the message and full stack only for errors whose texts are ours. */
function keepExceptionAttributes(attributes: Attributes, keep: KeepAttribute): number {
  const given = attributes[EXCEPTION_TYPE];
  const type = given !== undefined && EXCEPTION_TYPE_SHAPE.test(String(given)) ? String(given) : 'Error';
  const message = attributes[EXCEPTION_MESSAGE];
  const stack = attributes[EXCEPTION_STACKTRACE];
  let kept = 0;
  if (given !== undefined) {
    keep(EXCEPTION_TYPE, type);
    kept++;
  }
  const ours = ERRORS_WITH_SAFE_MESSAGES.has(type);
  if (ours && typeof message === 'string') {
    keep(EXCEPTION_MESSAGE, message.slice(0, MAX_SAFE_MESSAGE_CHARS));
    kept++;
  }
  if (typeof stack !== 'string') return kept;
  const frames = ours ? stack : stackFrames(stack, type, typeof message === 'string' ? message : undefined);
  if (frames === undefined) return kept;
  keep(EXCEPTION_STACKTRACE, frames);
  return kept + 1;
}

/**
 * Calls `keep` for every attribute of `attributes` that may leave the process, in the allowlist's
 * shape, without building a copy (the span encoder writes each straight to the wire).
 * @returns how many attributes were dropped.
 */
export function forEachAllowedAttribute(attributes: Attributes, keep: KeepAttribute): number {
  let total = 0;
  let kept = 0;
  let exception = false;
  const messaging = attributes[MESSAGING_MARK] !== undefined;
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    total++;
    const value = attributes[key];
    if (key === EXCEPTION_TYPE || key === EXCEPTION_MESSAGE || key === EXCEPTION_STACKTRACE) {
      exception ||= key !== EXCEPTION_STACKTRACE;
    } else if (value !== undefined && isAllowed(key, value, messaging)) {
      keep(key, value);
      kept++;
    }
  }
  if (exception) kept += keepExceptionAttributes(attributes, keep);
  return total - kept;
}

function allowedAttributes(attributes: Attributes): Filtered {
  const kept: Attributes = {};
  const dropped = forEachAllowedAttribute(attributes, (key, value) => {
    kept[key] = value;
  });
  return { attributes: kept, dropped };
}

function allowedEvent(event: TimedEvent): TimedEvent {
  if (!event.attributes) return event;
  const { attributes, dropped } = allowedAttributes(event.attributes);
  return { ...event, attributes, droppedAttributesCount: (event.droppedAttributesCount ?? 0) + dropped };
}

/** W3C `tracestate` is free text a client may send with its request: ids only go out. */
function withoutTraceState(spanContext: SpanContext): SpanContext {
  return spanContext.traceState ? { ...spanContext, traceState: undefined } : spanContext;
}

function allowedLink(link: Link): Link {
  const context = withoutTraceState(link.context);
  if (!link.attributes) return { ...link, context };
  const { attributes, dropped } = allowedAttributes(link.attributes);
  return {
    ...link,
    context,
    attributes,
    droppedAttributesCount: (link.droppedAttributesCount ?? 0) + dropped,
  };
}

/**
 * The status message is the error's text (BullMQ's failed reason, a task's message, a Redis
 * reply): kept when it is the message of one of our own errors, else replaced by the type of
 * the span's last exception, else removed.
 */
export function allowedStatus(status: SpanStatus, events: readonly TimedEvent[]): SpanStatus {
  if (status.message === undefined) return status;
  const exceptions = events.map((event) => event.attributes ?? {}).filter((a) => EXCEPTION_TYPE in a);
  const ours = exceptions.some(
    (a) =>
      ERRORS_WITH_SAFE_MESSAGES.has(String(a[EXCEPTION_TYPE])) && a[EXCEPTION_MESSAGE] === status.message,
  );
  if (ours) return { code: status.code, message: status.message.slice(0, MAX_SAFE_MESSAGE_CHARS) };
  const type = exceptions.at(-1)?.[EXCEPTION_TYPE];
  return typeof type === 'string' && EXCEPTION_TYPE_SHAPE.test(type)
    ? { code: status.code, message: type }
    : { code: status.code };
}

/** Whether every attribute passes the allowlist as it is (exception attributes are always reshaped). */
function allAllowed(attributes: Attributes | undefined): boolean {
  const messaging = attributes?.[MESSAGING_MARK] !== undefined;
  for (const key in attributes) {
    if (key === EXCEPTION_TYPE || key === EXCEPTION_MESSAGE || key === EXCEPTION_STACKTRACE) return false;
    if (!isAllowed(key, attributes[key], messaging)) return false;
  }
  return true;
}

/** Whether the allowlist would change anything in `span`; most spans pass untouched. */
function needsRedaction(span: ReadableSpan): boolean {
  if (span.status.message !== undefined || span.spanContext().traceState) return true;
  if (span.parentSpanContext?.traceState || !allAllowed(span.attributes)) return true;
  return (
    span.events.some((event) => !allAllowed(event.attributes)) ||
    span.links.some((link) => link.context.traceState || !allAllowed(link.attributes))
  );
}

/**
 * The span as it may leave the process: attributes, event and link attributes through the
 * allowlist above, the status message as `allowedStatus` says, no trace state. Name, ids, times,
 * kind and resource are unchanged (names are route templates, command, lane and task names).
 * A span with nothing to remove is returned as it is, not copied.
 */
export function allowlistedSpan(span: ReadableSpan): ReadableSpan {
  if (!needsRedaction(span)) return span;
  const { attributes, dropped } = allowedAttributes(span.attributes);
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => withoutTraceState(span.spanContext()),
    parentSpanContext: span.parentSpanContext && withoutTraceState(span.parentSpanContext),
    startTime: span.startTime,
    endTime: span.endTime,
    status: allowedStatus(span.status, span.events),
    attributes,
    links: span.links.map(allowedLink),
    events: span.events.map(allowedEvent),
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount + dropped,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}
