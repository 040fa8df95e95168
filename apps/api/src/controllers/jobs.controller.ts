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
import { hasScope, isAdmin, type Principal } from '@switchyard/auth';
import type { SwitchyardConfig } from '@switchyard/config';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  createJobBatchRequestSchema,
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
  jobLinks,
  type EnqueuedJob,
  type JobPage,
  type JobScope,
  type Submitter,
} from '@switchyard/queue';
import { traceIdOf } from '@switchyard/telemetry';
import type { FastifyReply } from 'fastify';
import { CONFIG } from '../api.tokens';
import { openApiSchemas } from '../openapi-schemas';
import { Caller, RequireScope } from '../security/require-scope';
import { waitMsOf } from './job-wait';

/** An admin sees every tenant's jobs; everyone else only their own. */
function scopeOf(caller: Principal): JobScope {
  return isAdmin(caller) ? {} : { tenant: caller.tenant };
}

function submitterOf(caller: Principal): Submitter {
  return { tenant: caller.tenant, mayOverrideProfile: hasScope(caller, 'admin') };
}

function accepted(job: EnqueuedJob, jaegerUiUrl?: string): JobAccepted {
  const traceId = traceIdOf(job.data.traceparent);
  return {
    id: job.id,
    task: job.data.task,
    profile: job.data.routing.profile,
    lane: job.data.routing.lane,
    state: job.delayed ? 'delayed' : 'waiting',
    ...(traceId ? { traceId } : {}),
    links: jobLinks(job.id, traceId, { jaegerUiUrl }),
  };
}

@ApiTags('jobs')
@ApiBearerAuth()
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
  @RequireScope('jobs:write')
  @ApiOperation({
    summary: 'Submit a job',
    description: 'Validates against the task catalog, routes profile → lane and enqueues.',
  })
  @ApiBody({ schema: openApiSchemas.createJob })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
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
      const view = await this.reader.view(job.id, scopeOf(caller)).catch(() => undefined);
      return {
        ...accepted(job, this.config.JAEGER_UI_URL),
        ...(view ? { state: view.state, task: view.task, profile: view.profile, lane: view.lane } : {}),
      };
    }
    return accepted(job, this.config.JAEGER_UI_URL);
  }

  @Post('batch')
  @HttpCode(202)
  @RequireScope('jobs:write')
  @ApiOperation({
    summary: 'Submit up to 1000 jobs',
    description:
      'All-or-nothing across lanes: every invalid item is reported by index, and the jobs are written in one transaction.',
  })
  @ApiBody({ schema: openApiSchemas.createJobBatch })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
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
    return { jobs: jobs.map((job) => accepted(job, this.config.JAEGER_UI_URL)) };
  }

  @Get()
  @RequireScope('jobs:read')
  @ApiOperation({
    summary: 'List jobs',
    description: 'Filter by state, task and lane; page with the returned cursor.',
  })
  async list(@Query() query: Record<string, string>, @Caller() caller: Principal): Promise<JobPage> {
    const parsed = listJobsQuerySchema.safeParse(query);
    if (!parsed.success) {
      throw new InvalidJobQueryError(
        'the query string has mistakes; see errors',
        parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
      );
    }
    return this.reader.list(parsed.data, scopeOf(caller));
  }

  @Get(':id')
  @RequireScope('jobs:read')
  @ApiOperation({ summary: 'A job: state, progress, result or error, timings and where it ran' })
  view(
    @Param('id') id: string,
    @Query() query: Record<string, string>,
    @Caller() caller: Principal,
  ): Promise<JobView> {
    return this.watcher.viewWhenFinished(id, scopeOf(caller), waitMsOf(query));
  }

  @Delete(':id')
  @RequireScope('jobs:cancel')
  @ApiOperation({
    summary: 'Cancel a job',
    description:
      'Waiting or delayed: removed. Active: aborted wherever it runs. 200 once cancelled, 202 while still stopping.',
  })
  async cancel(
    @Param('id') id: string,
    @Caller() caller: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<JobView> {
    const outcome = await this.canceller.cancel(id, scopeOf(caller));
    reply.status(outcome.final ? 200 : 202);
    return outcome.view;
  }
}
