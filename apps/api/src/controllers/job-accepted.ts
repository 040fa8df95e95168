import type { JobAccepted, JobData } from '@switchyard/contracts';
import { jobLinks } from '@switchyard/queue';
import { traceIdOf } from '@switchyard/telemetry';

/** What a 202 says of a job just enqueued (a submission or a retry): its routing, trace and links. */
export function jobAccepted(
  job: { id: string; data: JobData; delayed?: boolean },
  jaegerUiUrl: string | undefined,
): JobAccepted {
  const traceId = traceIdOf(job.data.traceparent);
  return {
    id: job.id,
    task: job.data.task,
    profile: job.data.routing.profile,
    lane: job.data.routing.lane,
    state: job.delayed ? 'delayed' : 'waiting',
    ...(traceId ? { traceId } : {}),
    links: jobLinks(job.id, job.data.traceparent, { jaegerUiUrl }),
  };
}
