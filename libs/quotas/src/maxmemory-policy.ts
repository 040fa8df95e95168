import type { Cluster, Redis } from 'ioredis';

export interface MaxmemoryPolicyCheck {
  /** The server's `maxmemory-policy`, or `unknown` when neither CONFIG nor INFO would tell. */
  policy: string;
  /** True only for `noeviction`. */
  ok: boolean;
  /** Why the policy loses jobs and how to fix it; present when `ok` is false. Log it as a warning. */
  message?: string;
}

/**
 * Reads Redis's eviction policy: `CONFIG GET`, or `INFO memory` where CONFIG is disabled (as on most
 * managed Redis). Services call it at start and log `message` as a warning when `ok` is false.
 * Never throws for a Redis that answers; rejects only when Redis does not answer at all.
 */
export async function checkMaxmemoryPolicy(redis: Redis | Cluster): Promise<MaxmemoryPolicyCheck> {
  const policy = (await policyFromConfig(redis)) ?? (await policyFromInfo(redis));
  if (policy === 'noeviction') return { policy, ok: true };
  if (policy === undefined) {
    return {
      policy: 'unknown',
      ok: false,
      message:
        'could not read Redis maxmemory-policy (CONFIG GET and INFO memory were both refused); make sure it is ' +
        '"noeviction": any other policy lets Redis delete queued jobs when memory runs short',
    };
  }
  return {
    policy,
    ok: false,
    message:
      `Redis maxmemory-policy is "${policy}", not "noeviction": when Redis reaches maxmemory it deletes keys ` +
      'to make room, and an evicted job, job lock or queue list is a job lost or run twice, with no error ' +
      "anywhere. Set maxmemory-policy to noeviction (redis.conf, CONFIG SET, or your provider's parameter " +
      'group): Redis then refuses writes when full, and Switchyard answers 503 instead of losing work',
  };
}

async function policyFromConfig(redis: Redis | Cluster): Promise<string | undefined> {
  try {
    // Replies [name, value], or [] where the parameter is hidden.
    const reply = await redis.config('GET', 'maxmemory-policy');
    return typeof reply[1] === 'string' ? reply[1] : undefined;
  } catch (error) {
    if (isRefusal(error)) return undefined;
    throw error;
  }
}

async function policyFromInfo(redis: Redis | Cluster): Promise<string | undefined> {
  try {
    const info = await redis.info('memory');
    return /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
  } catch (error) {
    if (isRefusal(error)) return undefined;
    throw error;
  }
}

/** Redis answered with an error (unknown command, NOPERM…), as opposed to not answering. */
function isRefusal(error: unknown): boolean {
  return error instanceof Error && error.name === 'ReplyError';
}

/**
 * Start-up check every service runs: warns through `warn` unless Redis keeps jobs (`noeviction`). Does not
 * wait on, or fail for, a Redis that is away: readiness reports that.
 */
export function warnUnlessNoeviction(redis: Redis | Cluster, warn: (message: string) => void): void {
  checkMaxmemoryPolicy(redis).then(
    (check) => {
      if (!check.ok) warn(check.message ?? `maxmemory-policy is ${check.policy}`);
    },
    () => undefined,
  );
}
