import { UnknownLaneError } from './errors';
import type { LaneQueues } from './lane-queues';

/** A lane's pause flag, as pause and resume report it. */
export interface LanePauseState {
  lane: string;
  paused: boolean;
}

/**
 * Pauses and resumes lanes. BullMQ's pause is the queue's own flag in Redis: every consumer of the lane,
 * in every pod, stops taking jobs (active ones run to their end) and submissions still queue up.
 */
export class LaneControls {
  constructor(private readonly queues: LaneQueues) {}

  /** @throws UnknownLaneError naming the lanes. */
  async pause(lane: string): Promise<LanePauseState> {
    await this.queueOf(lane).pause();
    return { lane, paused: true };
  }

  /** @throws UnknownLaneError naming the lanes. */
  async resume(lane: string): Promise<LanePauseState> {
    await this.queueOf(lane).resume();
    return { lane, paused: false };
  }

  private queueOf(lane: string) {
    if (!this.queues.lanes.includes(lane)) throw new UnknownLaneError(lane, this.queues.lanes);
    return this.queues.get(lane);
  }
}
