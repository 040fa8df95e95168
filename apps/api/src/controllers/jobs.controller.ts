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
import type { SwitchyardConfig } from '@switchyard/config';
import { ApiBody, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  createJobBatchRequestSchema,
  listJobsQuerySchema,
  ProblemError,
  type JobAccepted,
  type JobView,
} from '@switchyard/contracts';
import {
  invalidRequest,
  JobCanceller,
  JobProducer,
  JobReader,
  jobLinks,
  type EnqueuedJob,
  type JobPage,
} from '@switchyard/queue';
import { traceIdOf } from '@switchyard/telemetry';
import type { FastifyReply } from 'fastify';
import { CONFIG } from '../api.tokens';
import { openApiSchemas } from '../openapi-schemas';

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
@Controller('v1/jobs')
export class JobsController {
  constructor(
    private readonly producer: JobProducer,
    private readonly reader: JobReader,
    private readonly canceller: JobCanceller,
    @Inject(CONFIG) private readonly config: SwitchyardConfig,
  ) {}

  @Post()
  @HttpCode(202)
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
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<JobAccepted> {
    const job = await this.producer.enqueue(body, idempotencyKey);
    reply.header('location', `/v1/jobs/${job.id}`);
    if (job.replayed) {
      reply.header('idempotent-replayed', 'true');
      const view = await this.reader.view(job.id).catch(() => undefined);
      return {
        ...accepted(job, this.config.JAEGER_UI_URL),
        ...(view ? { state: view.state, task: view.task, profile: view.profile, lane: view.lane } : {}),
      };
    }
    return accepted(job, this.config.JAEGER_UI_URL);
  }

  @Post('batch')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Submit up to 1000 jobs',
    description: 'All-or-nothing: every invalid item is reported by index.',
  })
  @ApiBody({ schema: openApiSchemas.createJobBatch })
  async submitBatch(@Body() body: unknown): Promise<{ jobs: JobAccepted[] }> {
    const parsed = createJobBatchRequestSchema.safeParse(body);
    if (!parsed.success) {
      throw invalidRequest(
        parsed.error.issues.map((issue) => ({
          path: issue.path.join('.') || '(body)',
          message: issue.message,
        })),
        'the batch',
      );
    }
    const jobs = await this.producer.enqueueBatch(parsed.data.jobs);
    return { jobs: jobs.map((job) => accepted(job, this.config.JAEGER_UI_URL)) };
  }

  @Get()
  @ApiOperation({
    summary: 'List jobs',
    description: 'Filter by state, task and lane; page with the returned cursor.',
  })
  async list(@Query() query: Record<string, string>): Promise<JobPage> {
    const parsed = listJobsQuerySchema.safeParse(query);
    if (!parsed.success) {
      throw new ProblemError(400, 'Invalid query', 'the query string has mistakes; see errors', {
        errors: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
      });
    }
    return this.reader.list(parsed.data);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A job: state, progress, result or error, timings and where it ran' })
  view(@Param('id') id: string): Promise<JobView> {
    return this.reader.view(id);
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Cancel a job',
    description:
      'Waiting or delayed: removed. Active: aborted wherever it runs. 200 once cancelled, 202 while still stopping.',
  })
  async cancel(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<JobView> {
    const outcome = await this.canceller.cancel(id);
    reply.status(outcome.final ? 200 : 202);
    return outcome.view;
  }
}
