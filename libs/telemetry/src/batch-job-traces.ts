import {
  context,
  isSpanContextValid,
  SpanKind,
  SpanStatusCode,
  trace,
  type Link,
  type Span,
} from '@opentelemetry/api';
import { SwitchyardAttributes, type TraceContext } from '@switchyard/contracts';

/** One job of a batch, as its `submit <task>` span describes it. */
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
  /** Ends every job span once the jobs are enqueued, or with status ERROR when that failed. */
  end(error?: unknown): void;
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
function carrierOf(span: Span): TraceContext {
  const spanContext = span.spanContext();
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

/**
 * A batch links to its jobs instead of parenting them (DESIGN.md): each job starts its own trace
 * with a root PRODUCER span `submit <task>` that links to the batch request's span, so a
 * 1000-job batch makes 1000 small traces instead of one trace of 3000 spans. The request span
 * (the active one) gets `switchyard.batch.size` and links back to the first 128 jobs.
 * Call it inside the batch request's context.
 */
export function startBatchJobTraces(jobs: readonly BatchJob[]): BatchJobTraces {
  const batchContext = context.active();
  const batchSpan = trace.getSpan(batchContext);
  const batch = batchSpan?.spanContext();
  const toBatch: Link[] = batch && isSpanContextValid(batch) ? [{ context: batch }] : [];
  const tracer = trace.getTracer(TRACER_NAME);
  const options = { root: true, kind: SpanKind.PRODUCER, links: toBatch };
  const spans: Span[] = jobs.map((job) => {
    const span = tracer.startSpan(`submit ${job.task}`, options, batchContext);
    // Set after the start, not given to it: the SDK validates and copies start attributes twice.
    if (span.isRecording()) {
      span.setAttribute(SwitchyardAttributes.JobId, job.id);
      span.setAttribute(SwitchyardAttributes.Task, job.task);
      span.setAttribute(SwitchyardAttributes.Lane, job.lane);
      span.setAttribute(SwitchyardAttributes.Profile, job.profile);
    }
    return span;
  });
  if (batchSpan?.isRecording()) {
    batchSpan.setAttribute(BATCH_SIZE_ATTRIBUTE, jobs.length);
    batchSpan.addLinks(spans.slice(0, MAX_BATCH_LINKS).map((span) => ({ context: span.spanContext() })));
  }
  return {
    carriers: spans.map(carrierOf),
    end: (error?: unknown) => {
      for (const span of spans) {
        if (error !== undefined) {
          const message = error instanceof Error ? error.message : String(error);
          span.recordException(error instanceof Error ? error : message);
          span.setStatus({ code: SpanStatusCode.ERROR, message });
        }
        span.end();
      }
    },
  };
}
