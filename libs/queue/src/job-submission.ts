import type { SwitchyardConfig } from '@switchyard/config';
import {
  createJobRequestSchema,
  ProblemError,
  type CreateJobRequest,
  type JobData,
  type ProblemDetails,
} from '@switchyard/contracts';
import type { JobsOptions } from 'bullmq';
import type { z } from 'zod';
import type { LaneRouter } from './lane-router';
import type { TaskLookup } from './task-lookup';

type FieldError = NonNullable<ProblemDetails['errors']>[number];

/** A request that passed every check, ready to enqueue. */
export interface ValidatedSubmission {
  request: CreateJobRequest;
  data: JobData;
  options: JobsOptions;
}

export type SubmissionConfig = Pick<
  SwitchyardConfig,
  | 'JOB_TIMEOUT_MAX_MS'
  | 'COMPLETED_RETENTION_SECONDS'
  | 'COMPLETED_RETENTION_COUNT'
  | 'FAILED_RETENTION_SECONDS'
  | 'FAILED_RETENTION_COUNT'
>;

function zodErrors(error: z.ZodError, prefix: string, index?: number): FieldError[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: issue.message,
    ...(index === undefined ? {} : { index }),
  }));
}

/** Validates one job request against the envelope schema, the catalog and the lanes; collects every mistake. */
export class JobSubmissionValidator {
  constructor(
    private readonly catalog: TaskLookup,
    private readonly router: LaneRouter,
    private readonly config: SubmissionConfig,
  ) {}

  /** @returns the submission, or the field errors (with `index` when validating a batch item). */
  check(
    body: unknown,
    index?: number,
  ): { ok: true; submission: ValidatedSubmission } | { ok: false; errors: FieldError[] } {
    const envelope = createJobRequestSchema.safeParse(body);
    if (!envelope.success) return { ok: false, errors: zodErrors(envelope.error, '', index) };
    const request = envelope.data;
    if (!this.catalog.has(request.task)) {
      return {
        ok: false,
        errors: [
          {
            path: 'task',
            message: `unknown task "${request.task}"; known tasks: ${this.catalog.names().join(', ')}`,
            ...(index === undefined ? {} : { index }),
          },
        ],
      };
    }
    const task = this.catalog.get(request.task);
    const errors: FieldError[] = [];
    const payload = task.payloadSchema.safeParse(request.payload);
    if (!payload.success) errors.push(...zodErrors(payload.error, 'payload', index));
    const timeoutMs = request.timeoutMs ?? Math.min(task.defaultTimeoutMs, this.config.JOB_TIMEOUT_MAX_MS);
    if (timeoutMs > this.config.JOB_TIMEOUT_MAX_MS) {
      errors.push({
        path: 'timeoutMs',
        message: `must be at most ${this.config.JOB_TIMEOUT_MAX_MS} (JOB_TIMEOUT_MAX_MS)`,
        ...(index === undefined ? {} : { index }),
      });
    }
    let routing;
    try {
      routing = this.router.route({
        taskProfile: task.profile,
        profile: request.profile,
        lane: request.lane,
      });
    } catch (error) {
      if (!(error instanceof ProblemError)) throw error;
      errors.push(
        ...(error.extras.errors ?? []).map((e) => ({ ...e, ...(index === undefined ? {} : { index }) })),
      );
    }
    if (errors.length > 0 || !routing || !payload.success) return { ok: false, errors };
    const data: JobData = { task: task.name, payload: payload.data, routing, timeoutMs };
    return { ok: true, submission: { request, data, options: this.jobOptions(request) } };
  }

  private jobOptions(request: CreateJobRequest): JobsOptions {
    return {
      priority: request.priority,
      delay: request.delayMs,
      attempts: request.attempts ?? 1,
      backoff: request.backoff ? { type: request.backoff.type, delay: request.backoff.delayMs } : undefined,
      removeOnComplete: {
        age: this.config.COMPLETED_RETENTION_SECONDS,
        count: this.config.COMPLETED_RETENTION_COUNT,
      },
      removeOnFail: { age: this.config.FAILED_RETENTION_SECONDS, count: this.config.FAILED_RETENTION_COUNT },
    };
  }
}

export function invalidRequest(errors: FieldError[], what = 'the job request'): ProblemError {
  const summary = errors
    .slice(0, 3)
    .map((e) => `${e.index === undefined ? '' : `jobs[${e.index}].`}${e.path}: ${e.message}`)
    .join('; ');
  return new ProblemError(
    422,
    'Invalid job request',
    `${what} has ${errors.length} mistake(s): ${summary}${errors.length > 3 ? '; …' : ''}`,
    {
      errors,
    },
  );
}
