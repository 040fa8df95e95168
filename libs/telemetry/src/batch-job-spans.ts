import {
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';
import { hrTime, type InstrumentationScope } from '@opentelemetry/core';
import { SwitchyardAttributes } from '@switchyard/contracts';
import type { BatchJob } from './batch-job-traces';
import type { RecordedSpan, RecordedSpanSink } from './export/recorded-span-sink';
import { ERROR_TYPE_OTHER, MessagingAttributes, MessagingOperation } from './messaging-attributes';
import { newSpanId, newTraceId } from './random-ids';

/** The `create <lane>` span of each job of a batch: its context now, its end once the batch is written. */
export interface JobSpans {
  /** Each job's span context, in the jobs' order (invalid when nothing is traced). */
  readonly contexts: readonly SpanContext[];
  /** Ends every job span, with status ERROR when the batch was not written. */
  end(error?: unknown): void;
}

/** What a job span shares with its batch. */
interface JobSpanBasis {
  /** `messaging.system`, `.system.name`, `server.*`: the same on every span of the batch. */
  messaging: Attributes;
  /** The link to the batch request's span, if it is traced. */
  toBatch: Link[];
}

/** `error.type`: the error's name when it looks like one, else `_OTHER`. */
export function errorTypeOf(error: unknown): string {
  return error instanceof Error && /^[\w$.]{1,100}$/.test(error.name) ? error.name : ERROR_TYPE_OTHER;
}

export function markFailed(span: Span, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  span.recordException(error instanceof Error ? error : message);
  span.setAttribute(MessagingAttributes.ErrorType, errorTypeOf(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

function jobAttributes(job: BatchJob, messaging: Attributes): Attributes {
  return {
    ...messaging,
    [MessagingAttributes.DestinationName]: job.lane,
    [MessagingAttributes.OperationType]: MessagingOperation.Create,
    [MessagingAttributes.OperationName]: MessagingOperation.Create,
    [MessagingAttributes.MessageId]: job.id,
    [SwitchyardAttributes.JobId]: job.id,
    [SwitchyardAttributes.Task]: job.task,
    [SwitchyardAttributes.Lane]: job.lane,
    [SwitchyardAttributes.Profile]: job.profile,
  };
}

/** Job spans started through the SDK's tracer: for a sampler whose root decision needs the SDK. */
export function sdkJobSpans(
  jobs: readonly BatchJob[],
  basis: JobSpanBasis & { tracer: Tracer; batchContext: Context },
): JobSpans {
  const options = { root: true, kind: SpanKind.PRODUCER, links: basis.toBatch };
  const spans = jobs.map((job) => {
    const span = basis.tracer.startSpan(`create ${job.lane}`, options, basis.batchContext);
    // Set after the start, not given to it: the SDK validates and copies start attributes twice.
    if (span.isRecording()) span.setAttributes(jobAttributes(job, basis.messaging));
    return span;
  });
  return {
    contexts: spans.map((span) => span.spanContext()),
    end: (error) => {
      for (const span of spans) {
        if (error !== undefined) markFailed(span, error);
        span.end();
      }
    },
  };
}

const SCOPE: InstrumentationScope = { name: 'switchyard-api' };

/**
 * Job spans recorded as plain data and handed to the exporting processors at their end
 * (`RecordedSpanSink`), for a sampler that samples every root: the same spans (ids from the same
 * randomness, one start time for the batch, which the api creates at once), without an SDK `Span` per
 * job alive while the batch is written, nor the SDK's validation and copy of its nine attributes.
 */
export function recordedJobSpans(
  jobs: readonly BatchJob[],
  basis: JobSpanBasis & { sink: RecordedSpanSink },
): JobSpans {
  const startTime = hrTime();
  const records: RecordedSpan[] = jobs.map((job) => ({
    name: `create ${job.lane}`,
    kind: SpanKind.PRODUCER,
    scope: SCOPE,
    traceId: newTraceId(),
    spanId: newSpanId(),
    traceFlags: TraceFlags.SAMPLED,
    startTime,
    endTime: startTime,
    attributes: jobAttributes(job, basis.messaging),
    events: [],
    links: basis.toBatch,
    status: { code: SpanStatusCode.UNSET },
  }));
  return {
    contexts: records.map(({ traceId, spanId, traceFlags }) => ({ traceId, spanId, traceFlags })),
    end: (error) => {
      const endTime = hrTime();
      for (const record of records) {
        record.endTime = endTime;
        if (error !== undefined) failRecord(record, error, endTime);
        basis.sink.export(record);
      }
    },
  };
}

/** What `markFailed` does to an SDK span. */
function failRecord(record: RecordedSpan, error: unknown, time: RecordedSpan['endTime']): void {
  const message = error instanceof Error ? error.message : String(error);
  const exception: Attributes =
    error instanceof Error
      ? { 'exception.type': error.name, 'exception.message': error.message }
      : { 'exception.message': message };
  if (error instanceof Error && error.stack) exception['exception.stacktrace'] = error.stack;
  record.events = [{ name: 'exception', time, attributes: exception }];
  record.attributes = { ...record.attributes, [MessagingAttributes.ErrorType]: errorTypeOf(error) };
  record.status = { code: SpanStatusCode.ERROR, message };
}
