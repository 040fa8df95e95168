import type { JobData, JobProgress, JobResultEnvelope, JobState, JobView } from '@switchyard/contracts';
import { isSampled, traceIdOf } from '@switchyard/telemetry';
import type { Job, JobsOptions, JobState as BullJobState } from 'bullmq';

export interface CancellationRecord {
  cancelledAt: number;
  /** The job as it was when it was removed from the queue (waiting or delayed when cancelled). */
  removed?: JobView;
  /** What a retry of a removed job enqueues again (the view's payload is redacted). Never shown. */
  job?: { data: JobData; opts: JobsOptions };
}

export interface ViewLinks {
  /** Base URL of the Jaeger UI; when set, views link to their trace. */
  jaegerUiUrl?: string;
  /** Hides secrets in a payload before it is shown (the task catalog's `redactPayload`). @defaultValue payloads are not shown */
  redactPayload?: (task: string, payload: unknown) => unknown;
}

const ISO = (epochMs?: number) => (epochMs ? new Date(epochMs).toISOString() : undefined);

function mapState(state: BullJobState | 'unknown', cancelled: boolean): JobState {
  if (cancelled && state === 'failed') return 'cancelled';
  switch (state) {
    case 'completed':
    case 'failed':
    case 'active':
    case 'delayed':
      return state;
    default:
      return 'waiting';
  }
}

/**
 * A job's links: itself, and its trace in the Jaeger UI when one is configured and the job was traced.
 * Pass the trace id of a sampled job only: an unsampled one has no trace in Jaeger to link to.
 */
/** The job's own link, and its Jaeger link only when its trace was sampled (else that trace never exists). */
export function jobLinks(jobId: string, traceparent: string | undefined, links: ViewLinks): JobView['links'] {
  const traceId = isSampled(traceparent) ? traceIdOf(traceparent) : undefined;
  return {
    self: `/v1/jobs/${jobId}`,
    ...(traceId && links.jaegerUiUrl
      ? { trace: `${links.jaegerUiUrl.replace(/\/$/, '')}/trace/${traceId}` }
      : {}),
  };
}

function progressOf(progress: unknown): JobProgress {
  if (typeof progress === 'number') return { percent: progress };
  if (progress && typeof progress === 'object' && 'percent' in progress) return progress as JobProgress;
  return { percent: 0 };
}

/** Builds the public view of a BullMQ job. */
export function toJobView(
  job: Job<JobData, JobResultEnvelope>,
  state: BullJobState | 'unknown',
  cancellation: CancellationRecord | undefined,
  links: ViewLinks,
): JobView {
  const viewState = mapState(state, cancellation !== undefined);
  const progress = progressOf(job.progress);
  const envelope = viewState === 'completed' ? job.returnvalue : undefined;
  const execution = envelope?.execution ?? progress.execution;
  const readyAt = job.timestamp + (job.delay ?? 0);
  const startedAt = execution?.startedAt ?? job.processedOn;
  const finishedAt = job.finishedOn;
  const traceId = traceIdOf(job.data.traceparent);
  const sampled = isSampled(job.data.traceparent);
  const view: JobView = {
    id: job.id ?? '',
    task: job.data.task,
    tenant: job.data.tenant ?? 'anonymous',
    ...(links.redactPayload ? { payload: links.redactPayload(job.data.task, job.data.payload) } : {}),
    profile: job.data.routing.profile,
    lane: job.data.routing.lane,
    routing: job.data.routing,
    state: viewState,
    progress: viewState === 'completed' ? 100 : progress.percent,
    attempts: { made: job.attemptsMade, max: job.opts.attempts ?? 1 },
    timeoutMs: job.data.timeoutMs,
    createdAt: ISO(job.timestamp) ?? '',
    startedAt: ISO(startedAt),
    finishedAt: ISO(finishedAt),
    queueWaitMs: startedAt ? Math.max(0, startedAt - readyAt) : undefined,
    runMs:
      execution?.runMs ?? (job.finishedOn && job.processedOn ? job.finishedOn - job.processedOn : undefined),
    execution,
    traceId,
    sampled,
    links: jobLinks(job.id ?? '', job.data.traceparent, links),
  };
  if (envelope) view.result = envelope.result;
  if ((viewState === 'failed' || viewState === 'cancelled') && job.failedReason) {
    const [name, ...rest] = job.failedReason.split(': ');
    const named = rest.length > 0 && /^[A-Za-z]+Error$/.test(name);
    view.error = {
      name: named ? name : 'Error',
      message: named ? rest.join(': ') : job.failedReason,
      attemptsMade: job.attemptsMade,
    };
  }
  return view;
}
