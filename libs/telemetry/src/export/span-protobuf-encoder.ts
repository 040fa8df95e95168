import type { Attributes, AttributeValue, HrTime, Link } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import { allowedStatus, forEachAllowedAttribute } from '../redaction/span-allowlist';
import { ProtobufWriter, WireType } from './protobuf-writer';

/**
 * OTLP/protobuf field numbers (opentelemetry-proto `trace/v1/trace.proto`, `common/v1/common.proto`),
 * the same that `@opentelemetry/otlp-transformer`'s serializer writes.
 */
const SPAN = {
  traceId: 1,
  spanId: 2,
  parentSpanId: 4,
  name: 5,
  kind: 6,
  startTime: 7,
  endTime: 8,
  attributes: 9,
  droppedAttributes: 10,
  events: 11,
  droppedEvents: 12,
  links: 13,
  droppedLinks: 14,
  status: 15,
  flags: 16,
} as const;
const EVENT = { time: 1, name: 2, attributes: 3, droppedAttributes: 4 } as const;
const LINK = { traceId: 1, spanId: 2, attributes: 4, droppedAttributes: 5, flags: 6 } as const;
const STATUS = { message: 2, code: 3 } as const;
const KEY_VALUE = { key: 1, value: 2 } as const;
const ANY_VALUE = { string: 1, bool: 2, int: 3, double: 4, array: 5 } as const;
const ARRAY_VALUE_VALUES = 1;
const SCOPE = { name: 1, version: 2, attributes: 3 } as const;
const RESOURCE = { attributes: 1, droppedAttributes: 2 } as const;
const RESOURCE_SPANS = { resource: 1, scopeSpans: 2, schemaUrl: 3 } as const;
const SCOPE_SPANS = { scope: 1, spans: 2, schemaUrl: 3 } as const;
const REQUEST_RESOURCE_SPANS = 1;
const KEY_CACHE_LIMIT = 512;

/** `SpanFlags`: the W3C trace flags, and whether the parent was remote (bit 8 says bit 9 is known). */
const FLAGS_HAS_IS_REMOTE = 0x100;
const FLAGS_IS_REMOTE = 0x200;

function spanFlags(traceFlags: number, parentIsRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | FLAGS_HAS_IS_REMOTE | (parentIsRemote ? FLAGS_IS_REMOTE : 0);
}

/**
 * Writes spans as OTLP/protobuf `Span` messages, each through the span allowlist
 * (`redaction/span-allowlist.ts`) as it is written: no redacted copy of the span is made, and
 * the span is garbage once `write` returns, instead of waiting seconds in a batch queue.
 * Whatever the allowlist drops is counted in the message's dropped-attributes counts, and the
 * trace state is not written, as `allowlistedSpan` does for the other exporters.
 */
export class SpanProtobufEncoder {
  /** The writer of the call in progress: `write` and `writeRequest` set it. */
  #writer = new ProtobufWriter(0);
  #attributesField = 0;
  /** Bound once: `forEachAllowedAttribute` calls it per kept attribute, into `#writer`. */
  readonly #keepAttribute = (key: string, value: AttributeValue): void => {
    const writer = this.#writer;
    writer.tag(this.#attributesField, WireType.LengthDelimited);
    const keyValue = writer.begin();
    writer.raw(this.#encodedKey(key));
    writer.tag(KEY_VALUE.value, WireType.LengthDelimited);
    const anyValue = writer.begin();
    writeAnyValue(writer, value);
    writer.end(anyValue);
    writer.end(keyValue);
  };

  /** `KeyValue.key` fields as bytes, by key: the allowlist lets a few dozen names through. */
  readonly #keys = new Map<string, Uint8Array>();
  readonly #keyWriter = new ProtobufWriter(256);

  #encodedKey(key: string): Uint8Array {
    let bytes = this.#keys.get(key);
    if (!bytes) {
      this.#keyWriter.reset();
      this.#keyWriter.tag(KEY_VALUE.key, WireType.LengthDelimited);
      this.#keyWriter.string(key);
      bytes = this.#keyWriter.copy();
      // Resource keys and the allowlist's names; the bound guards against a stream of new ones.
      if (this.#keys.size < KEY_CACHE_LIMIT) this.#keys.set(key, bytes);
    }
    return bytes;
  }

  /** Appends `span` to `writer` as a `ScopeSpans.spans` entry (field 2). */
  write(writer: ProtobufWriter, span: ReadableSpan): void {
    this.#writer = writer;
    const context = span.spanContext();
    const parent = span.parentSpanContext;
    writer.tag(SCOPE_SPANS.spans, WireType.LengthDelimited);
    const message = writer.begin();
    writer.tag(SPAN.traceId, WireType.LengthDelimited);
    writer.hexBytes(context.traceId);
    writer.tag(SPAN.spanId, WireType.LengthDelimited);
    writer.hexBytes(context.spanId);
    if (parent?.spanId) {
      writer.tag(SPAN.parentSpanId, WireType.LengthDelimited);
      writer.hexBytes(parent.spanId);
    }
    writer.tag(SPAN.name, WireType.LengthDelimited);
    writer.string(span.name);
    writer.tag(SPAN.kind, WireType.Varint);
    writer.uint32(span.kind + 1);
    writeTime(writer, SPAN.startTime, span.startTime);
    writeTime(writer, SPAN.endTime, span.endTime);
    const dropped = this.#attributes(SPAN.attributes, span.attributes);
    writeCount(writer, SPAN.droppedAttributes, span.droppedAttributesCount + dropped);
    for (const event of span.events) this.#event(event);
    writeCount(writer, SPAN.droppedEvents, span.droppedEventsCount);
    for (const link of span.links) this.#link(link);
    writeCount(writer, SPAN.droppedLinks, span.droppedLinksCount);
    const status = allowedStatus(span.status, span.events);
    writer.tag(SPAN.status, WireType.LengthDelimited);
    const statusMessage = writer.begin();
    if (status.message) {
      writer.tag(STATUS.message, WireType.LengthDelimited);
      writer.string(status.message);
    }
    writeCount(writer, STATUS.code, status.code);
    writer.end(statusMessage);
    writer.tag(SPAN.flags, WireType.Fixed32);
    writer.fixed32(spanFlags(context.traceFlags, parent?.isRemote));
    writer.end(message);
  }

  /** The envelope of one export request around each scope's encoded spans. */
  writeRequest(
    writer: ProtobufWriter,
    resource: Resource,
    scopes: ReadonlyMap<InstrumentationScope, Uint8Array>,
  ): void {
    this.#writer = writer;
    writer.tag(REQUEST_RESOURCE_SPANS, WireType.LengthDelimited);
    const resourceSpans = writer.begin();
    writer.tag(RESOURCE_SPANS.resource, WireType.LengthDelimited);
    const resourceMessage = writer.begin();
    this.#attributesField = RESOURCE.attributes;
    // The resource is the same in every export and says what the process is: not redacted.
    const attributes = resource.attributes;
    for (const key in attributes) {
      const value = attributes[key];
      if (value !== undefined) this.#keepAttribute(key, value);
    }
    writeCount(writer, RESOURCE.droppedAttributes, 0);
    writer.end(resourceMessage);
    for (const [scope, spans] of scopes) {
      writer.tag(RESOURCE_SPANS.scopeSpans, WireType.LengthDelimited);
      const scopeSpans = writer.begin();
      writer.tag(SCOPE_SPANS.scope, WireType.LengthDelimited);
      const scopeMessage = writer.begin();
      writer.tag(SCOPE.name, WireType.LengthDelimited);
      writer.string(scope.name);
      if (scope.version) {
        writer.tag(SCOPE.version, WireType.LengthDelimited);
        writer.string(scope.version);
      }
      writer.end(scopeMessage);
      writer.raw(spans);
      if (scope.schemaUrl) {
        writer.tag(SCOPE_SPANS.schemaUrl, WireType.LengthDelimited);
        writer.string(scope.schemaUrl);
      }
      writer.end(scopeSpans);
    }
    if (resource.schemaUrl) {
      writer.tag(RESOURCE_SPANS.schemaUrl, WireType.LengthDelimited);
      writer.string(resource.schemaUrl);
    }
    writer.end(resourceSpans);
  }

  /** @returns how many attributes the allowlist dropped. */
  #attributes(field: number, attributes: Attributes): number {
    this.#attributesField = field;
    return forEachAllowedAttribute(attributes, this.#keepAttribute);
  }

  #event(event: TimedEvent): void {
    const writer = this.#writer;
    writer.tag(SPAN.events, WireType.LengthDelimited);
    const message = writer.begin();
    writeTime(writer, EVENT.time, event.time);
    writer.tag(EVENT.name, WireType.LengthDelimited);
    writer.string(event.name);
    const dropped = event.attributes ? this.#attributes(EVENT.attributes, event.attributes) : 0;
    writeCount(writer, EVENT.droppedAttributes, (event.droppedAttributesCount ?? 0) + dropped);
    writer.end(message);
  }

  /** Ids and flags only: a link's trace state is free text a client may send. */
  #link(link: Link): void {
    const writer = this.#writer;
    writer.tag(SPAN.links, WireType.LengthDelimited);
    const message = writer.begin();
    writer.tag(LINK.traceId, WireType.LengthDelimited);
    writer.hexBytes(link.context.traceId);
    writer.tag(LINK.spanId, WireType.LengthDelimited);
    writer.hexBytes(link.context.spanId);
    const dropped = link.attributes ? this.#attributes(LINK.attributes, link.attributes) : 0;
    writeCount(writer, LINK.droppedAttributes, (link.droppedAttributesCount ?? 0) + dropped);
    writer.tag(LINK.flags, WireType.Fixed32);
    writer.fixed32(spanFlags(link.context.traceFlags, link.context.isRemote));
    writer.end(message);
  }
}

function writeTime(writer: ProtobufWriter, field: number, time: HrTime): void {
  writer.tag(field, WireType.Fixed64);
  writer.hrTime(time);
}

/** A count or enum; zero is proto3's default and is not written. */
function writeCount(writer: ProtobufWriter, field: number, count: number): void {
  if (count === 0) return;
  writer.tag(field, WireType.Varint);
  writer.uint32(count);
}

/** As the SDK's serializer does: integers as int64, other numbers as doubles. */
function writeAnyValue(writer: ProtobufWriter, value: AttributeValue | null | undefined): void {
  if (typeof value === 'string') {
    writer.tag(ANY_VALUE.string, WireType.LengthDelimited);
    writer.string(value);
  } else if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) {
      writer.tag(ANY_VALUE.int, WireType.Varint);
      writer.int64(value);
    } else {
      writer.tag(ANY_VALUE.double, WireType.Fixed64);
      writer.double(value);
    }
  } else if (typeof value === 'boolean') {
    writer.tag(ANY_VALUE.bool, WireType.Varint);
    writer.uint32(value ? 1 : 0);
  } else if (Array.isArray(value)) {
    writer.tag(ANY_VALUE.array, WireType.LengthDelimited);
    const array = writer.begin();
    for (const item of value) {
      writer.tag(ARRAY_VALUE_VALUES, WireType.LengthDelimited);
      const itemValue = writer.begin();
      writeAnyValue(writer, item);
      writer.end(itemValue);
    }
    writer.end(array);
  }
}
