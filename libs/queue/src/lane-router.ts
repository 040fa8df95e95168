import type { SwitchyardConfig } from '@switchyard/config';
import type { Profile, RequestedProfile, RoutingDecision } from '@switchyard/contracts';

export interface RouteRequest {
  taskProfile: Profile;
  /** `auto` routes here as the task's default; `MeasuredRouting` re-routes it once the task is measured. */
  profile?: RequestedProfile;
  /** Must be a known lane (see `knows`). */
  lane?: string;
}

/** Resolves profile → lane: an explicit lane wins, then a profile override, then the task's default. */
export class LaneRouter {
  private readonly defaultLanes: Record<Profile, string>;

  constructor(private readonly config: Pick<SwitchyardConfig, 'LANES' | 'IO_LANE' | 'CPU_LANE'>) {
    this.defaultLanes = { io: config.IO_LANE, cpu: config.CPU_LANE };
  }

  get lanes(): readonly string[] {
    return this.config.LANES;
  }

  knows(lane: string): boolean {
    return this.config.LANES.includes(lane);
  }

  /**
   * What a lane runs: IO_LANE interleaves jobs on one event loop (io); every other lane is served by a
   * compute pool (cpu). A job's effective profile is its lane's, so naming the io lane outright is the
   * same move as asking for profile io.
   */
  profileOf(lane: string): Profile {
    return lane === this.config.IO_LANE ? 'io' : 'cpu';
  }

  route(request: RouteRequest): RoutingDecision {
    if (request.lane !== undefined) {
      return { profile: this.profileOf(request.lane), lane: request.lane, reason: 'lane-explicit' };
    }
    const asked = request.profile === 'auto' ? undefined : request.profile;
    const profile = asked ?? request.taskProfile;
    const reason = asked && asked !== request.taskProfile ? 'profile-override' : 'task-default';
    return { profile, lane: this.defaultLanes[profile], reason };
  }

  /** The lanes a job of one of these profiles may be sent to. */
  lanesFor(profiles: readonly Profile[]): string[] {
    return this.config.LANES.filter((lane) => profiles.includes(this.profileOf(lane)));
  }
}
