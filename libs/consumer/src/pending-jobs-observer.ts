import { ANONYMOUS_TENANT } from '@switchyard/auth';
import type { TenantPendingJobs } from '@switchyard/quotas';
import { isLastAttempt } from '@switchyard/telemetry';
import type { LaneWorkerObserver } from './lane-worker';

/**
 * Gives a job's room back to its tenant (TENANT_MAX_PENDING_JOBS) once it ended for good: completed,
 * cancelled, or failed on its last attempt. Written without waiting: a Redis away now leaves a member that
 * the api's sweep at the cap removes later, which is better than holding up the lane.
 */
export function pendingJobsObserver(pending: TenantPendingJobs): LaneWorkerObserver {
  return {
    attemptSettled: (job, outcome) => {
      if (isLastAttempt(job, outcome)) {
        pending.remove(job.data.tenant ?? ANONYMOUS_TENANT, job.id ?? '').catch(() => undefined);
      }
    },
  };
}
