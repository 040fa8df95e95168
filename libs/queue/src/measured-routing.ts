import type { RoutingDecision } from '@switchyard/contracts';
import type { ValidatedSubmission } from './job-submission';
import type { LaneRouter } from './lane-router';
import type { TaskCpuProfile, TaskCpuProfiles } from './task-cpu-profile';
import type { TaskLookup } from './task-lookup';

export interface MeasuredRoutingOptions {
  profiles: TaskCpuProfiles;
  catalog: TaskLookup;
  router: LaneRouter;
  /** Measured attempts a task needs before its ratio decides. @defaultValue 20 */
  minSamples?: number;
  /** How long a read of the ratios is used before the next one. @defaultValue 1000 */
  cacheMs?: number;
}

/**
 * Routes `profile: "auto"` jobs (and jobs of tasks declaring `autoRoute` that name no profile) by their
 * task's measured CPU/wall ratio. The ratios are read from Redis at most once per `cacheMs` and served
 * stale meanwhile, so a submission waits for Redis only on the api's very first auto job.
 */
export class MeasuredRouting {
  private readonly minSamples: number;
  private readonly cacheMs: number;
  private cached?: Map<string, TaskCpuProfile>;
  private readAt = 0;
  private reading?: Promise<Map<string, TaskCpuProfile>>;

  constructor(private readonly options: MeasuredRoutingOptions) {
    this.minSamples = options.minSamples ?? 20;
    this.cacheMs = options.cacheMs ?? 1_000;
  }

  /**
   * Re-routes the submissions that asked for `auto`, among the lanes of the profiles their task declares
   * (so `auto` never needs the admin's profile override). The validator has already routed them to the
   * task's default profile, which stands while the task has fewer than `minSamples` measured attempts.
   */
  async route(submissions: readonly ValidatedSubmission[]): Promise<void> {
    const auto = submissions.filter((submission) => this.wantsAuto(submission));
    if (auto.length === 0) return;
    const measured = await this.snapshot();
    for (const submission of auto) {
      const decision = this.decide(submission.data.task, measured.get(submission.data.task));
      if (decision) submission.data.routing = decision;
    }
  }

  private wantsAuto({ request }: ValidatedSubmission): boolean {
    if (request.lane !== undefined) return false;
    if (request.profile === 'auto') return true;
    return request.profile === undefined && this.options.catalog.get(request.task).autoRoute === true;
  }

  private decide(task: string, measured: TaskCpuProfile | undefined): RoutingDecision | undefined {
    if (!measured || measured.samples < this.minSamples) return undefined;
    const definition = this.options.catalog.get(task);
    const allowed = definition.profiles ?? [definition.profile];
    // A task that declares one profile stays on it, whatever its ratio says: the ratio is still recorded.
    const profile = allowed.includes(measured.profile) ? measured.profile : definition.profile;
    const decision = this.options.router.route({ taskProfile: profile, profile });
    return { ...decision, reason: 'measured', cpuRatio: Math.round(measured.ratio * 1000) / 1000 };
  }

  private async snapshot(): Promise<Map<string, TaskCpuProfile>> {
    const stale = Date.now() - this.readAt >= this.cacheMs;
    if (stale && !this.reading) {
      this.reading = this.options.profiles
        .read()
        .then((profiles) => {
          this.cached = profiles;
          this.readAt = Date.now();
          return profiles;
        })
        .finally(() => {
          this.reading = undefined;
        });
      // A failed read leaves the last ratios in use (or none: declared profiles) and is retried next time.
      this.reading.catch(() => undefined);
    }
    if (this.cached) return this.cached;
    return this.reading ? this.reading.catch(() => new Map()) : new Map();
  }
}
