import type { LaneDepthGuard } from './lane-depth-guard';
import type { TenantPendingJobs } from './tenant-pending-jobs';

/**
 * The quotas one submission must pass: the tenant's pending jobs (one atomic script that also counts the
 * new jobs in), then the lanes' depths (cached, usually no Redis call). The tenant goes first because the
 * lane guard counts what it admits into its cache at once: a submission refused after passing it would
 * leave phantom depth there, for a tenant's flood to fill the lane for everyone until the next read.
 * Structurally the queue lib's `EnqueueGuard`: the returned function gives the reservation back when the
 * write fails.
 */
export class SubmissionQuotas {
  constructor(
    private readonly lanes: LaneDepthGuard,
    private readonly pending: TenantPendingJobs,
  ) {}

  async reserve(tenant: string, jobs: readonly { id: string; lane: string }[]): Promise<() => Promise<void>> {
    const ids = jobs.map((job) => job.id);
    await this.pending.reserve(tenant, ids);
    const release = async () => {
      await this.pending.remove(tenant, ids);
    };
    try {
      const perLane = Map.groupBy(jobs, (job) => job.lane);
      await Promise.all([...perLane].map(([lane, laneJobs]) => this.lanes.assertRoom(lane, laneJobs.length)));
    } catch (error) {
      await release();
      throw error;
    }
    return release;
  }

  /** A job reached its end (completed, failed for good, cancelled): it no longer counts for its tenant. */
  async finished(tenant: string, jobId: string): Promise<void> {
    await this.pending.remove(tenant, jobId);
  }
}
