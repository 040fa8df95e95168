import type { Cluster, Redis } from 'ioredis';
import { checkInteger } from './option-checks';
import { LaneFullError } from './errors';
import { execOrThrow } from './redis-replies';

export interface LaneDepthGuardOptions {
  redis: Redis | Cluster;
  /** The connection holding a lane's keys when not `redis` (a lane with its own Redis). @defaultValue redis */
  laneRedis?(lane: string): Redis | Cluster;
  /** The BullMQ key of a lane's `type` list or set: `LaneQueue.toKey`'s, as the lane's queue names it. */
  laneKey(lane: string, type: string): string;
  /** Most jobs one lane may hold waiting, prioritized or delayed (LANE_MAX_DEPTH). */
  maxDepth: number;
  /**
   * How long a lane's depth, once read, is reused before asking Redis again. Longer: fewer round
   * trips, a larger overshoot when other replicas add meanwhile. 0 reads on every call. @defaultValue 250
   */
  cacheMs?: number;
  /** `retryAfterSeconds` of a LaneFullError. @defaultValue 2 */
  retryAfterSeconds?: number;
}

interface DepthReading {
  depth: number;
  readAt: number;
}

/**
 * Refuses jobs for a lane that already holds LANE_MAX_DEPTH jobs not yet started, so a flood turns
 * into backpressure instead of Redis growth. Reads BullMQ's own keys (`wait` and the legacy `paused`
 * lists, `prioritized` and `delayed` sets), cached for `cacheMs`; jobs this replica admits are added
 * to its cached depth at once, so only other replicas' jobs can be missed, and only for `cacheMs`:
 * the cap can be passed by what the other replicas admit in that window, which is what makes a
 * submission free of a Redis round trip most of the time.
 */
export class LaneDepthGuard {
  private readonly maxDepth: number;
  private readonly cacheMs: number;
  private readonly retryAfterSeconds: number;
  private readonly readings = new Map<string, DepthReading>();
  private readonly inFlight = new Map<string, Promise<DepthReading>>();

  constructor(private readonly options: LaneDepthGuardOptions) {
    this.maxDepth = checkInteger('maxDepth', options.maxDepth, 1);
    this.cacheMs = checkInteger('cacheMs', options.cacheMs ?? 250, 0);
    this.retryAfterSeconds = checkInteger('retryAfterSeconds', options.retryAfterSeconds ?? 2, 1);
  }

  /**
   * Admits `adding` more jobs to `lane` if it stays within `maxDepth`. Call it for each lane of a
   * request, after validation and before enqueueing; it changes nothing in Redis.
   * @throws LaneFullError when the jobs do not fit.
   */
  async assertRoom(lane: string, adding: number): Promise<void> {
    if (adding <= 0) return;
    const reading = await this.reading(lane);
    if (reading.depth + adding > this.maxDepth) {
      throw new LaneFullError(lane, reading.depth, adding, this.maxDepth, this.retryAfterSeconds);
    }
    reading.depth += adding;
  }

  /** The lane's jobs waiting, prioritized or delayed, read from Redis now (no cache). */
  async depth(lane: string): Promise<number> {
    const key = (type: string) => this.options.laneKey(lane, type);
    const counts = await execOrThrow(
      (this.options.laneRedis?.(lane) ?? this.options.redis)
        .multi()
        .llen(key('wait'))
        .llen(key('paused'))
        .zcard(key('prioritized'))
        .zcard(key('delayed')),
    );
    return counts.reduce<number>((sum, count) => sum + Number(count), 0);
  }

  private async reading(lane: string): Promise<DepthReading> {
    const cached = this.readings.get(lane);
    if (cached && performance.now() - cached.readAt < this.cacheMs) return cached;
    let pending = this.inFlight.get(lane);
    if (!pending) {
      // One read per lane at a time: a burst of submissions shares it.
      pending = this.depth(lane)
        .then((depth) => {
          const reading = { depth, readAt: performance.now() };
          this.readings.set(lane, reading);
          return reading;
        })
        .finally(() => this.inFlight.delete(lane));
      this.inFlight.set(lane, pending);
    }
    return pending;
  }
}
