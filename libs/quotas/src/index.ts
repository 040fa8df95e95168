// Quotas that turn a flood into backpressure (issue 8): each throws a BackpressureError the api maps to 429.
export { BackpressureError, QuotaExceededError, LaneFullError } from './errors';
export { TenantPendingJobs, type TenantPendingJobsOptions, type JobsFinished } from './tenant-pending-jobs';
export { LaneDepthGuard, type LaneDepthGuardOptions } from './lane-depth-guard';
export { checkMaxmemoryPolicy, warnUnlessNoeviction, type MaxmemoryPolicyCheck } from './maxmemory-policy';
export { SubmissionQuotas } from './submission-quotas';
