import {
  context,
  isSpanContextValid,
  SpanKind,
  trace,
  type Attributes,
  type Link,
  type SpanContext,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import type { TraceContext } from '@switchyard/contracts';
import { markFailed, recordedJobSpans, sdkJobSpans } from './batch-job-spans';
import { recordedSpanSink } from './export/recorded-span-sink';
import {
  MESSAGING_SYSTEM,
  MessagingAttributes,
  MessagingOperation,
  messagingServerOf,
  type MessagingServer,
} from './messaging-attributes';

/** One job of a batch, as its `create <lane>` span describes it. */
export interface BatchJob {
  id: string;
  task: string;
  lane: string;
  profile: string;
}

/** The traces `startBatchJobTraces` opened, one per job. */
export interface BatchJobTraces {
  /**
   * Each job's context, in the jobs' order: store it in the job (its `traceparent`) and hand it
   * to BullMQ as the job's telemetry metadata, so the job's consumer span parents on it.
   * Empty carriers when nothing is traced.
   */
  readonly carriers: TraceContext[];
  /**
   * Runs `send` (the write of every job) inside the batch's `publish` span, which links to each
   * job's creation context. Rejects as `send` does, with the span's status ERROR.
   */
  publish<T>(send: () => Promise<T>): Promise<T>;
  /** Ends every job span once the jobs are enqueued, or with status ERROR when that failed. */
  end(error?: unknown): void;
}

export interface BatchJobTracesOptions {
  /** The queues' Redis URL (REDIS_URL), for `server.address` and `server.port`. @defaultValue not named */
  redisUrl?: string;
}

const TRACER_NAME = 'switchyard-api';
/** The SDK keeps 128 links per span by default; more would be dropped anyway. */
const MAX_BATCH_LINKS = 128;
const BATCH_SIZE_ATTRIBUTE = 'switchyard.batch.size';
const W3C_VERSION = '00';

/**
 * The W3C context of a job's root span, written directly: what `injectTraceContext` would give
 * for it, without a context and a header object per job of a 1000-job batch.
 */
function carrierOf(spanContext: SpanContext): TraceContext {
  // Not traced (no SDK, or tracing suppressed): the tracer gave a span with an invalid context.
  if (!isSpanContextValid(spanContext)) return {};
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  const carrier: TraceContext = {
    traceparent: `${W3C_VERSION}-${spanContext.traceId}-${spanContext.spanId}-${flags}`,
  };
  const tracestate = spanContext.traceState?.serialize();
  if (tracestate) carrier.tracestate = tracestate;
  return carrier;
}

function serverAttributes(server: MessagingServer | undefined): Attributes {
  return server
    ? { [MessagingAttributes.ServerAddress]: server.address, [MessagingAttributes.ServerPort]: server.port }
    : {};
}

/**
 * A batch links to its jobs instead of parenting them (DESIGN.md), in the shape of the OpenTelemetry
 * messaging conventions for batch sending: each job starts its own trace with a root PRODUCER span
 * `create <lane>` (its creation context, `messaging.operation.type` = `create`) that links to the
 * batch request's span, so a 1000-job batch makes 1000 small traces instead of one trace of 3000
 * spans. The write of the whole batch is one PRODUCER span `publish <lane>` (`publish` alone when
 * the batch spans several lanes) in the request's trace, with `messaging.batch.message_count` and
 * links to the creation contexts. The request span (the active one) gets `switchyard.batch.size`
 * and links to the jobs too. Links stop at the first 128 jobs. Call it inside the request's context.
 */
export function startBatchJobTraces(
  jobs: readonly BatchJob[],
  options: BatchJobTracesOptions = {},
): BatchJobTraces {
  const batchContext = context.active();
  const batchSpan = trace.getSpan(batchContext);
  const batch = batchSpan?.spanContext();
  const toBatch: Link[] = batch && isSpanContextValid(batch) ? [{ context: batch }] : [];
  const tracer = trace.getTracer(TRACER_NAME);
  const server = options.redisUrl === undefined ? undefined : messagingServerOf(options.redisUrl);
  const messaging = {
    [MessagingAttributes.System]: MESSAGING_SYSTEM,
    [MessagingAttributes.SystemName]: MESSAGING_SYSTEM,
    ...serverAttributes(server),
  };
  const sink = recordedSpanSink();
  // Under suppressed tracing the SDK gives spans that record nothing: it decides.
  const jobSpans =
    sink?.recordsRoots && !isTracingSuppressed(batchContext)
      ? recordedJobSpans(jobs, { sink, messaging, toBatch })
      : sdkJobSpans(jobs, { tracer, batchContext, messaging, toBatch });
  const toJobs = (): Link[] =>
    jobSpans.contexts
      .slice(0, MAX_BATCH_LINKS)
      .filter((spanContext) => isSpanContextValid(spanContext))
      .map((spanContext) => ({ context: spanContext }));
  if (batchSpan?.isRecording()) {
    batchSpan.setAttribute(BATCH_SIZE_ATTRIBUTE, jobs.length);
    batchSpan.addLinks(toJobs());
  }
  const lanes = new Set(jobs.map((job) => job.lane));
  const [onlyLane] = lanes;
  return {
    carriers: jobSpans.contexts.map(carrierOf),
    publish: async (send) => {
      const span = tracer.startSpan(
        lanes.size === 1 ? `publish ${onlyLane}` : 'publish',
        { kind: SpanKind.PRODUCER, links: toJobs() },
        batchContext,
      );
      if (span.isRecording()) {
        span.setAttributes(messaging);
        if (lanes.size === 1) span.setAttribute(MessagingAttributes.DestinationName, onlyLane);
        span.setAttribute(MessagingAttributes.OperationType, MessagingOperation.Send);
        span.setAttribute(MessagingAttributes.OperationName, 'publish');
        span.setAttribute(MessagingAttributes.BatchMessageCount, jobs.length);
      }
      try {
        return await context.with(trace.setSpan(batchContext, span), send);
      } catch (error) {
        markFailed(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
    end: (error?: unknown) => jobSpans.end(error),
  };
}
