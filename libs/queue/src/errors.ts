import type { FieldError } from '@switchyard/contracts';

/**
 * Every mistake the queue lib refuses a request for, made in one place. Domain errors: they say what
 * is wrong and how to fix it, and carry what a caller needs to act on them; the api maps each to its
 * HTTP status in one table (apps/api/src/problems/domain-problems.ts).
 */

/** No lane holds a job with this id that the caller may see (it may have existed: retention removes jobs). */
export class JobNotFoundError extends Error {
  override readonly name = 'JobNotFoundError';
  constructor(
    readonly jobId: string,
    /** Whether `jobId` looks like an id this API hands out (a UUID). */
    wellFormed: boolean,
  ) {
    super(
      wellFormed
        ? `no job has id "${jobId}"; it may never have existed, belong to another tenant, or its retention has expired`
        : 'no job has id like that: job ids are the UUIDs that POST /v1/jobs returns',
    );
  }
}

/** A job request (or a batch) with mistakes; nothing was enqueued. `errors` lists every one. */
export class InvalidJobRequestError extends Error {
  override readonly name = 'InvalidJobRequestError';
  constructor(
    readonly errors: FieldError[],
    /** What was refused, for the message. */
    what = 'the job request',
  ) {
    const summary = errors
      .slice(0, 3)
      .map((e) => `${e.index === undefined ? '' : `jobs[${e.index}].`}${e.path}: ${e.message}`)
      .join('; ');
    super(`${what} has ${errors.length} mistake(s): ${summary}${errors.length > 3 ? '; …' : ''}`);
  }
}

/** A cancel for a job that already completed or failed (also when it finished while the cancel was on its way). */
export class JobAlreadyFinishedError extends Error {
  override readonly name = 'JobAlreadyFinishedError';
  constructor(
    readonly jobId: string,
    readonly state: string,
  ) {
    super(`job ${jobId} is ${state}; only waiting, delayed or active jobs can be cancelled`);
  }
}

/** An Idempotency-Key that is not 1 to 255 visible ASCII characters. */
export class InvalidIdempotencyKeyError extends Error {
  override readonly name = 'InvalidIdempotencyKeyError';
  constructor() {
    super('the Idempotency-Key header must be 1 to 255 visible ASCII characters (a UUID is a good choice)');
  }
}

/** The tenant already used this Idempotency-Key for a different request; nothing was enqueued. */
export class IdempotencyKeyReusedError extends Error {
  override readonly name = 'IdempotencyKeyReusedError';
  constructor(
    /** The first job the key was used for. */
    readonly jobId: string,
  ) {
    super(
      `this Idempotency-Key was already used for a different request (job ${jobId}); use a new key for a new request`,
    );
  }
}

/** Another request is claiming the same Idempotency-Key at this moment; a retry settles it. */
export class IdempotencyKeyBusyError extends Error {
  override readonly name = 'IdempotencyKeyBusyError';
  constructor() {
    super('the Idempotency-Key is being claimed concurrently; retry');
  }
}

/** A page cursor this API did not hand out (forged, truncated, or from another filter). */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor() {
    super(
      'the cursor is not one this API returned; pass nextCursor from the previous page as is, or none for the first page',
    );
  }
}

/** A job listing asked for something that cannot exist, e.g. a lane not in LANES. */
export class InvalidJobQueryError extends Error {
  override readonly name = 'InvalidJobQueryError';
  constructor(
    message: string,
    readonly errors: FieldError[],
  ) {
    super(message);
  }
}

/** A lane name that is not in LANES (pause, resume). */
export class UnknownLaneError extends Error {
  override readonly name = 'UnknownLaneError';
  constructor(
    readonly lane: string,
    readonly lanes: readonly string[],
  ) {
    super(`no lane is named "${lane}"; the lanes are: ${lanes.join(', ')}`);
  }
}

/** A retry for a job that has not failed and was not cancelled (also when it changed state meanwhile). */
export class JobNotRetryableError extends Error {
  override readonly name = 'JobNotRetryableError';
  constructor(
    readonly jobId: string,
    readonly state: string,
    /** Why, when the state alone does not say it. */
    reason = 'only failed or cancelled jobs can be retried',
  ) {
    super(`job ${jobId} is ${state}; ${reason}`);
  }
}

/** Every event stream (and waiting read) this api may hold at once is open; another one may be opened later. */
export class TooManyJobWatchesError extends Error {
  override readonly name = 'TooManyJobWatchesError';
  constructor(
    readonly limit: number,
    readonly retryAfterSeconds = 5,
  ) {
    super(
      `this api already follows ${limit} jobs for event streams and waiting reads (JOB_WATCHES_MAX); retry shortly, or poll GET /v1/jobs/:id without waitMs`,
    );
  }
}
