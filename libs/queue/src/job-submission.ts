import type { SwitchyardConfig } from '@switchyard/config';
import {
  createJobRequestSchema,
  type CreateJobRequest,
  type FieldError,
  type JobData,
  type RoutingDecision,
  type TaskDefinition,
} from '@switchyard/contracts';
import type { JobsOptions } from 'bullmq';
import type { z } from 'zod';
import type { LaneRouter } from './lane-router';
import type { TaskLookup } from './task-lookup';

/** A request that passed every check, ready to enqueue. */
export interface ValidatedSubmission {
  request: CreateJobRequest;
  data: JobData;
  options: JobsOptions;
}

export type SubmissionConfig = Pick<
  SwitchyardConfig,
  | 'JOB_TIMEOUT_MAX_MS'
  | 'JOB_DELAY_MAX_MS'
  | 'JOB_PAYLOAD_MAX_BYTES'
  | 'ALLOW_PROFILE_OVERRIDE'
  | 'COMPLETED_RETENTION_SECONDS'
  | 'COMPLETED_RETENTION_COUNT'
  | 'FAILED_RETENTION_SECONDS'
  | 'FAILED_RETENTION_COUNT'
>;

/** Who submits: the job's tenant, and whether the caller may move a task off its declared profiles. */
export interface Submitter {
  tenant: string;
  /** Admin keys may; so may everyone when ALLOW_PROFILE_OVERRIDE is set. */
  mayOverrideProfile: boolean;
}

function zodErrors(error: z.ZodError, prefix: string): FieldError[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: issue.message,
  }));
}

/** Validates one job request against the envelope schema, the catalog, the limits and the lanes; collects every mistake. */
export class JobSubmissionValidator {
  constructor(
    private readonly catalog: TaskLookup,
    private readonly router: LaneRouter,
    private readonly config: SubmissionConfig,
  ) {}

  /** @returns the submission, or the field errors (with `index` when validating a batch item). */
  check(
    body: unknown,
    submitter: Submitter,
    index?: number,
  ): { ok: true; submission: ValidatedSubmission } | { ok: false; errors: FieldError[] } {
    const result = this.checkItem(body, submitter);
    if (result.ok || index === undefined) return result;
    return { ok: false, errors: result.errors.map((error) => ({ ...error, index })) };
  }

  private checkItem(
    body: unknown,
    submitter: Submitter,
  ): { ok: true; submission: ValidatedSubmission } | { ok: false; errors: FieldError[] } {
    const envelope = createJobRequestSchema.safeParse(body);
    if (!envelope.success) return { ok: false, errors: zodErrors(envelope.error, '') };
    const request = envelope.data;
    if (!this.catalog.has(request.task)) {
      return {
        ok: false,
        errors: [
          {
            path: 'task',
            message: `unknown task "${request.task}"; known tasks: ${this.catalog.names().join(', ')}`,
          },
        ],
      };
    }
    const task = this.catalog.get(request.task);
    const errors: FieldError[] = [];
    const payloadBytes = Buffer.byteLength(JSON.stringify(request.payload) ?? '');
    if (payloadBytes > this.config.JOB_PAYLOAD_MAX_BYTES) {
      errors.push({
        path: 'payload',
        message: `is ${payloadBytes} bytes as JSON; at most ${this.config.JOB_PAYLOAD_MAX_BYTES} (JOB_PAYLOAD_MAX_BYTES)`,
      });
    }
    const payload = task.payloadSchema.safeParse(request.payload);
    if (!payload.success) errors.push(...zodErrors(payload.error, 'payload'));
    const timeoutMs = request.timeoutMs ?? Math.min(task.defaultTimeoutMs, this.config.JOB_TIMEOUT_MAX_MS);
    if (timeoutMs > this.config.JOB_TIMEOUT_MAX_MS) {
      errors.push({
        path: 'timeoutMs',
        message: `must be at most ${this.config.JOB_TIMEOUT_MAX_MS} (JOB_TIMEOUT_MAX_MS)`,
      });
    }
    if ((request.delayMs ?? 0) > this.config.JOB_DELAY_MAX_MS) {
      errors.push({
        path: 'delayMs',
        message: `must be at most ${this.config.JOB_DELAY_MAX_MS} (JOB_DELAY_MAX_MS)`,
      });
    }
    const routing = this.routeOrExplain(request, task, submitter, errors);
    if (errors.length > 0 || !routing || !payload.success) return { ok: false, errors };
    const data: JobData = {
      task: task.name,
      tenant: submitter.tenant,
      payload: payload.data,
      routing,
      timeoutMs,
    };
    return { ok: true, submission: { request, data, options: this.jobOptions(request) } };
  }

  /** The lane, or undefined with the reason added to `errors`: an unknown lane, or a profile the task does not allow. */
  private routeOrExplain(
    request: CreateJobRequest,
    task: TaskDefinition,
    submitter: Submitter,
    errors: FieldError[],
  ): RoutingDecision | undefined {
    if (request.lane !== undefined && !this.router.knows(request.lane)) {
      errors.push({ path: 'lane', message: `must be one of: ${this.router.lanes.join(', ')}` });
      return undefined;
    }
    const routing = this.router.route({
      taskProfile: task.profile,
      profile: request.profile,
      lane: request.lane,
    });
    const allowed = task.profiles ?? [task.profile];
    if (
      allowed.includes(routing.profile) ||
      submitter.mayOverrideProfile ||
      this.config.ALLOW_PROFILE_OVERRIDE
    ) {
      return routing;
    }
    errors.push({
      path: request.lane !== undefined ? 'lane' : 'profile',
      message: `task ${task.name} runs under profile ${allowed.join(' or ')}, on lanes ${this.router.lanesFor(allowed).join(', ')}; moving it to a ${routing.profile} lane needs an admin key or ALLOW_PROFILE_OVERRIDE=true`,
    });
    return undefined;
  }

  private jobOptions(request: CreateJobRequest): JobsOptions {
    return {
      priority: request.priority,
      delay: request.delayMs,
      attempts: request.attempts ?? 1,
      backoff: request.backoff ? { type: request.backoff.type, delay: request.backoff.delayMs } : undefined,
      // By count only: an `age` here costs a ZREVRANGEBYSCORE inside every moveToFinished; the api's
      // RetentionSweeper removes jobs past their age instead. An age of 0 (keep none) stays immediate.
      removeOnComplete: {
        count: this.config.COMPLETED_RETENTION_SECONDS === 0 ? 0 : this.config.COMPLETED_RETENTION_COUNT,
      },
      removeOnFail: {
        count: this.config.FAILED_RETENTION_SECONDS === 0 ? 0 : this.config.FAILED_RETENTION_COUNT,
      },
    };
  }
}
