import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { hasScope, type Principal } from '@switchyard/auth';
import type { SwitchyardConfig } from '@switchyard/config';
import { ApiHeader, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  createJobBatchRequestSchema,
  jobAcceptedSchema,
  jobBatchAcceptedSchema,
  jobPageSchema,
  jobViewQuerySchema,
  jobViewSchema,
  listJobsQuerySchema,
  type JobAccepted,
  type JobView,
} from '@switchyard/contracts';
import {
  InvalidJobQueryError,
  InvalidJobRequestError,
  JobCanceller,
  JobProducer,
  JobReader,
  JobWatcher,
  type JobPage,
  type Submitter,
} from '@switchyard/queue';
import type { FastifyReply } from 'fastify';
import { CONFIG } from '../api.tokens';
import { jobAccepted } from './job-accepted';
import { ApiContract } from '../openapi/api-contract.decorator';
import { Caller } from '../security/require-scope';
import { jobScopeOf } from './caller-scope';
import { waitMsOf } from './job-wait';

function submitterOf(caller: Principal): Submitter {
  return { tenant: caller.tenant, mayOverrideProfile: hasScope(caller, 'admin') };
}

const JOB_ID = ApiParam({
  name: 'id',
  description: 'The job id returned at submission',
  schema: { type: 'string' },
});

/** What InvalidIdempotencyKeyError checks: 1 to 255 visible ASCII characters. */
const IDEMPOTENCY_KEY = {
  type: 'string' as const,
  minLength: 1,
  maxLength: 255,
  pattern: '^[\\x21-\\x7e]+$',
};

const ACCEPTED_HEADERS = {
  Location: { description: "The job's URL", required: true, schema: { type: 'string' as const } },
  'Idempotent-Replayed': {
    description: '`true` when the Idempotency-Key was seen before and the earlier job is returned',
    schema: { type: 'string' as const },
  },
};

@ApiTags('jobs')
@Controller('v1/jobs')
export class JobsController {
  constructor(
    private readonly producer: JobProducer,
    private readonly reader: JobReader,
    private readonly canceller: JobCanceller,
    private readonly watcher: JobWatcher,
    @Inject(CONFIG) private readonly config: SwitchyardConfig,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiContract({
    operationId: 'submitJob',
    summary: 'Submit a job',
    description: 'Validates against the task catalog, routes profile → lane and enqueues.',
    scope: 'jobs:write',
    body: 'JobRequest',
    responses: {
      202: {
        description: 'Enqueued (or replayed by its Idempotency-Key)',
        schema: jobAcceptedSchema,
        headers: ACCEPTED_HEADERS,
      },
    },
    problems: [
      [400, 'Malformed JSON or an invalid Idempotency-Key'],
      [409, 'The Idempotency-Key was used with another body, or its first request is still running'],
      413,
      415,
      [422, 'Unknown task, invalid payload or options: every mistake is listed in `errors`'],
      503,
    ],
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    schema: IDEMPOTENCY_KEY,
    description: 'Same key and body within 24 h → the same job',
  })
  async submit(
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Caller() caller: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<JobAccepted> {
    const job = await this.producer.enqueue(body, submitterOf(caller), idempotencyKey);
    reply.header('location', `/v1/jobs/${job.id}`);
    if (job.replayed) {
      reply.header('idempotent-replayed', 'true');
      const view = await this.reader.view(job.id, jobScopeOf(caller)).catch(() => undefined);
      return {
        ...jobAccepted(job, this.config.JAEGER_UI_URL),
        ...(view ? { state: view.state, task: view.task, profile: view.profile, lane: view.lane } : {}),
      };
    }
    return jobAccepted(job, this.config.JAEGER_UI_URL);
  }

  @Post('batch')
  @HttpCode(202)
  @ApiContract({
    operationId: 'submitJobBatch',
    summary: 'Submit up to 1000 jobs',
    description:
      'All-or-nothing across lanes: every invalid item is reported by index, and the jobs are written in one transaction.',
    scope: 'jobs:write',
    body: 'JobBatchRequest',
    responses: {
      202: {
        description: 'Every job enqueued, in the order sent',
        schema: jobBatchAcceptedSchema,
        headers: { 'Idempotent-Replayed': ACCEPTED_HEADERS['Idempotent-Replayed'] },
      },
    },
    problems: [
      [400, 'Malformed JSON or an invalid Idempotency-Key'],
      [409, 'The Idempotency-Key was used with another batch, or its first request is still running'],
      413,
      415,
      [422, 'An invalid batch or item: every mistake is listed in `errors`, by item `index`'],
      503,
    ],
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    schema: IDEMPOTENCY_KEY,
    description: 'Same key and batch within 24 h → the same jobs',
  })
  async submitBatch(
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Caller() caller: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ jobs: JobAccepted[] }> {
    const parsed = createJobBatchRequestSchema.safeParse(body);
    if (!parsed.success) {
      throw new InvalidJobRequestError(
        parsed.error.issues.map((issue) => ({
          path: issue.path.join('.') || '(body)',
          message: issue.message,
        })),
        'the batch',
      );
    }
    const jobs = await this.producer.enqueueBatch(parsed.data.jobs, submitterOf(caller), idempotencyKey);
    if (jobs.some((job) => job.replayed)) reply.header('idempotent-replayed', 'true');
    return { jobs: jobs.map((job) => jobAccepted(job, this.config.JAEGER_UI_URL)) };
  }

  @Get()
  @ApiContract({
    operationId: 'listJobs',
    summary: 'List jobs',
    description:
      "Filter by state, task and lane; page with the returned cursor. A key sees its tenant's jobs only.",
    scope: 'jobs:read',
    query: listJobsQuerySchema,
    responses: { 200: { description: 'One page of jobs', schema: jobPageSchema } },
    problems: [[400, 'An invalid query string or cursor: every mistake is listed in `errors`'], 503],
  })
  async list(@Query() query: Record<string, string>, @Caller() caller: Principal): Promise<JobPage> {
    const parsed = listJobsQuerySchema.safeParse(query);
    if (!parsed.success) {
      throw new InvalidJobQueryError(
        'the query string has mistakes; see errors',
        parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
      );
    }
    return this.reader.list(parsed.data, jobScopeOf(caller));
  }

  @Get(':id')
  @JOB_ID
  @ApiContract({
    operationId: 'getJob',
    summary: 'A job: state, progress, result or error, timings and where it ran',
    description:
      'With waitMs: answered as soon as the job completes, fails or is cancelled, or when waitMs has passed, with the job as it is then.',
    scope: 'jobs:read',
    query: jobViewQuerySchema,
    responses: { 200: { description: 'The job', schema: jobViewSchema } },
    problems: [
      [400, 'waitMs is not an integer from 0 to 30000'],
      404,
      414,
      [
        503,
        'The job store is not reachable, or this api already holds JOB_WATCHES_MAX waiting reads and event streams (Retry-After)',
      ],
    ],
  })
  view(
    @Param('id') id: string,
    @Query() query: Record<string, string>,
    @Caller() caller: Principal,
  ): Promise<JobView> {
    return this.watcher.viewWhenFinished(id, jobScopeOf(caller), waitMsOf(query));
  }

  @Delete(':id')
  @JOB_ID
  @ApiContract({
    operationId: 'cancelJob',
    summary: 'Cancel a job',
    description:
      'Waiting or delayed: removed. Active: aborted wherever it runs. 200 once cancelled, 202 while still stopping.',
    scope: 'jobs:cancel',
    responses: {
      200: { description: 'Cancelled: the job as it stopped', schema: jobViewSchema },
      202: {
        description: 'Still stopping (its run has not acknowledged the abort yet): poll the job',
        schema: jobViewSchema,
      },
    },
    problems: [404, [409, 'The job had already finished (its `state` is in the problem)'], 414, 503],
  })
  async cancel(
    @Param('id') id: string,
    @Caller() caller: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<JobView> {
    const outcome = await this.canceller.cancel(id, jobScopeOf(caller));
    reply.status(outcome.final ? 200 : 202);
    return outcome.view;
  }
}
