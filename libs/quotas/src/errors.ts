/**
 * Every limit a submission can run into, made in one place. Domain errors: the api maps any
 * `BackpressureError` to 429 with `Retry-After: retryAfterSeconds`.
 */
export abstract class BackpressureError extends Error {
  constructor(
    message: string,
    /** When a retry may succeed, in whole seconds (at least 1). */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** A tenant's jobs not yet finished would pass TENANT_MAX_PENDING_JOBS. */
export class QuotaExceededError extends BackpressureError {
  override readonly name = 'QuotaExceededError';
  constructor(
    readonly tenant: string,
    /** Jobs of the tenant not yet finished when the request was refused. */
    readonly pending: number,
    /** Jobs the refused request would have added. */
    readonly adding: number,
    /** TENANT_MAX_PENDING_JOBS. */
    readonly limit: number,
    retryAfterSeconds: number,
  ) {
    super(
      adding > limit
        ? `a request of ${adding} jobs is more than tenant "${tenant}" may ever have pending ` +
            `(TENANT_MAX_PENDING_JOBS=${limit}); send at most ${limit} jobs at a time, or raise TENANT_MAX_PENDING_JOBS`
        : `tenant "${tenant}" has ${pending} jobs not yet finished and may have at most ${limit} ` +
            `(TENANT_MAX_PENDING_JOBS); ${adding} more would pass it. Retry after ${retryAfterSeconds} s, ` +
            `once some of its jobs have finished, or raise TENANT_MAX_PENDING_JOBS`,
      retryAfterSeconds,
    );
  }
}

/** A lane's jobs waiting, prioritized or delayed would pass LANE_MAX_DEPTH. */
export class LaneFullError extends BackpressureError {
  override readonly name = 'LaneFullError';
  constructor(
    readonly lane: string,
    /** Jobs waiting, prioritized or delayed in the lane when the request was refused. */
    readonly depth: number,
    /** Jobs the refused request would have added to the lane. */
    readonly adding: number,
    /** LANE_MAX_DEPTH. */
    readonly limit: number,
    retryAfterSeconds: number,
  ) {
    super(
      adding > limit
        ? `a request of ${adding} jobs for lane "${lane}" is more than the lane may ever hold ` +
            `(LANE_MAX_DEPTH=${limit}); send at most ${limit} jobs at a time, or raise LANE_MAX_DEPTH`
        : `lane "${lane}" holds ${depth} jobs waiting or delayed and may hold at most ${limit} ` +
            `(LANE_MAX_DEPTH); ${adding} more would pass it. Retry after ${retryAfterSeconds} s, ` +
            `once its consumers catch up; add consumers or raise LANE_MAX_DEPTH if this is the normal load`,
      retryAfterSeconds,
    );
  }
}
