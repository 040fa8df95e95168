import { ANONYMOUS_TENANT } from '@switchyard/auth';
import type { TenantPendingJobs } from '@switchyard/quotas';
import { isLastAttempt } from '@switchyard/telemetry';
import type { LaneWorkerObserver } from './lane-worker';

/** Longest a finished job's id waits before its ZREM is sent. */
const FLUSH_AFTER_MS = 5;
/** Ids per ZREM at most: a full batch goes out at once. */
const FLUSH_AT_IDS = 256;

/** A lane worker observer whose removals can be sent before the connection closes. */
export interface PendingJobsObserver extends LaneWorkerObserver {
  /** Sends the removals collected so far; resolves once Redis answered (or failed). */
  flush(): Promise<void>;
}

/**
 * Gives a job's room back to its tenant (TENANT_MAX_PENDING_JOBS) once it ended for good: completed,
 * cancelled, or failed on its last attempt. The ids are collected and removed with one ZREM per tenant
 * every 5 ms or 256 ids, not one round trip per job (a socket write and ~10 µs of the event loop each).
 * Written without waiting: a Redis away now, or a consumer that dies before a flush, leaves members
 * that the api's sweep at the cap removes later, which is better than holding up the lane.
 */
export function pendingJobsObserver(pending: TenantPendingJobs): PendingJobsObserver {
  const byTenant = new Map<string, string[]>();
  let collected = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    collected = 0;
    const sends = [...byTenant].map(([tenant, ids]) => pending.remove(tenant, ids).catch(() => 0));
    byTenant.clear();
    return Promise.all(sends).then(() => undefined);
  };
  return {
    attemptSettled: (job, outcome) => {
      if (!isLastAttempt(job, outcome)) return;
      const tenant = job.data.tenant ?? ANONYMOUS_TENANT;
      const ids = byTenant.get(tenant);
      if (ids) ids.push(job.id ?? '');
      else byTenant.set(tenant, [job.id ?? '']);
      if (++collected >= FLUSH_AT_IDS) void flush();
      else timer ??= setTimeout(() => void flush(), FLUSH_AFTER_MS);
    },
    flush,
  };
}
