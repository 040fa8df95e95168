import type { SwitchyardConfig } from '@switchyard/config';
import { ProblemError, type Profile, type RoutingDecision } from '@switchyard/contracts';

export interface RouteRequest {
  taskProfile: Profile;
  profile?: Profile;
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

  /** @throws ProblemError (422) for a lane that is not configured. */
  route(request: RouteRequest): RoutingDecision {
    const profile = request.profile ?? request.taskProfile;
    if (request.lane !== undefined) {
      this.assertKnown(request.lane);
      return { profile, lane: request.lane, reason: 'lane-explicit' };
    }
    const reason =
      request.profile && request.profile !== request.taskProfile ? 'profile-override' : 'task-default';
    return { profile, lane: this.defaultLanes[profile], reason };
  }

  assertKnown(lane: string): void {
    if (!this.config.LANES.includes(lane)) {
      throw new ProblemError(
        422,
        'Unknown lane',
        `lane "${lane}" is not configured; known lanes: ${this.config.LANES.join(', ')}`,
        {
          errors: [{ path: 'lane', message: `must be one of: ${this.config.LANES.join(', ')}` }],
        },
      );
    }
  }
}
