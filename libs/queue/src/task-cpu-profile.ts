import type { Profile } from '@switchyard/contracts';
import type { RedisConnection } from './redis-connection';

/** One task's measured CPU/wall ratio, as every api replica reads it. */
export interface TaskCpuProfile {
  /** Decaying average of the task's CPU/wall ratio (cpuMs/runMs) over its completed attempts, 0–1. */
  ratio: number;
  /** Completed attempts measured so far. */
  samples: number;
  /** The profile the ratio points to, with hysteresis applied (see AUTO_ROUTING_CPU_HIGH). */
  profile: Profile;
}

/**
 * Attempts measured since the last flush, for one task. The batch's ratio is ΣcpuMs/ΣrunMs: weighted by
 * run time, so the many 2-ms attempts whose whole-ms wall clock is mostly rounding do not swing it.
 */
export interface CpuRatioBatch {
  task: string;
  cpuMs: number;
  runMs: number;
  /** Attempts in the batch. */
  count: number;
}

export interface TaskCpuProfilesOptions {
  redis: RedisConnection;
  prefix: string;
  /** Above it, a task routed to io moves to cpu (AUTO_ROUTING_CPU_HIGH). @defaultValue 0.15 */
  cpuHigh?: number;
  /** Below it, a task routed to cpu moves back to io (AUTO_ROUTING_CPU_LOW). @defaultValue 0.05 */
  cpuLow?: number;
}

/**
 * Weight of one attempt in the decaying average: the last ~10 attempts carry two thirds of it, so a
 * task whose payloads change its nature (a small hash vs a huge one) is re-routed within tens of jobs.
 */
export const CPU_RATIO_EWMA_WEIGHT = 0.1;

/**
 * Folds a batch of n attempts with mean m into the average as n single updates would (to first order):
 * r ← r·(1−w)ⁿ + m·(1−(1−w)ⁿ); the first batch of a task starts the average at m. The profile is decided
 * here, once for every api replica, with hysteresis: io → cpu above HIGH, cpu → io below LOW, and a
 * task without a decision yet at the midpoint.
 * KEYS[1] the hash; ARGV weight, high, low, then (task, mean, count) per task.
 */
const RECORD_SCRIPT = `
local weight, high, low = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
for i = 4, #ARGV, 3 do
  local task, mean, count = ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
  local raw = redis.call('HGET', KEYS[1], task)
  local ratio, samples, profile = mean, 0, nil
  if raw then
    local old = cjson.decode(raw)
    local keep = (1 - weight) ^ count
    ratio = old.ratio * keep + mean * (1 - keep)
    samples = old.samples
    profile = old.profile
  end
  if profile == 'cpu' then
    if ratio < low then profile = 'io' end
  elseif profile == 'io' then
    if ratio > high then profile = 'cpu' end
  elseif ratio >= (high + low) / 2 then
    profile = 'cpu'
  else
    profile = 'io'
  end
  redis.call('HSET', KEYS[1], task, cjson.encode({ ratio = ratio, samples = samples + count, profile = profile }))
end
return 1
`;

/**
 * Each task's measured CPU/wall ratio, kept in one Redis hash shared by every replica: the consumers
 * add their attempts in batches (`record`), the api reads the whole hash at most once a second
 * (`MeasuredRoutingCache`). Neither adds a round trip per job.
 */
export class TaskCpuProfiles {
  readonly key: string;
  private readonly cpuHigh: number;
  private readonly cpuLow: number;

  constructor(private readonly options: TaskCpuProfilesOptions) {
    this.key = `${options.prefix}:_switchyard:task-cpu`;
    this.cpuHigh = options.cpuHigh ?? 0.15;
    this.cpuLow = options.cpuLow ?? 0.05;
    if (!(this.cpuLow < this.cpuHigh)) {
      throw new RangeError(
        `AUTO_ROUTING_CPU_LOW (${this.cpuLow}) must be below AUTO_ROUTING_CPU_HIGH (${this.cpuHigh})`,
      );
    }
  }

  /** Adds the batches in one script call. */
  async record(batches: readonly CpuRatioBatch[]): Promise<void> {
    const args: (string | number)[] = [CPU_RATIO_EWMA_WEIGHT, this.cpuHigh, this.cpuLow];
    for (const { task, cpuMs, runMs, count } of batches) {
      if (count > 0 && runMs > 0) args.push(task, Math.min(1, cpuMs / runMs), count);
    }
    if (args.length === 3) return;
    await this.options.redis.eval(RECORD_SCRIPT, 1, this.key, ...args);
  }

  /** Every task's profile; a field that does not parse (written by another version) is skipped. */
  async read(): Promise<Map<string, TaskCpuProfile>> {
    const raw = await this.options.redis.hgetall(this.key);
    const profiles = new Map<string, TaskCpuProfile>();
    for (const [task, value] of Object.entries(raw)) {
      const parsed = parseProfile(value);
      if (parsed) profiles.set(task, parsed);
    }
    return profiles;
  }
}

function parseProfile(value: string): TaskCpuProfile | undefined {
  try {
    const { ratio, samples, profile } = JSON.parse(value) as Partial<TaskCpuProfile>;
    if (typeof ratio !== 'number' || typeof samples !== 'number') return undefined;
    if (profile !== 'io' && profile !== 'cpu') return undefined;
    return { ratio, samples, profile };
  } catch {
    return undefined;
  }
}
