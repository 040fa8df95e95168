import { Controller, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@switchyard/auth';
import type { SwitchyardConfig } from '@switchyard/config';
import { jobRetriedSchema, type JobRetried } from '@switchyard/contracts';
import { JobRetrier, jobLinks } from '@switchyard/queue';
import { traceIdOf } from '@switchyard/telemetry';
import type { FastifyReply } from 'fastify';
import { CONFIG } from '../api.tokens';
import { Caller, RequireScope } from '../security/require-scope';
import { jobScopeOf, openApiSchemaOf } from './caller-scope';

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('v1/jobs')
export class JobOperationsController {
  constructor(
    private readonly retrier: JobRetrier,
    @Inject(CONFIG) private readonly config: SwitchyardConfig,
  ) {}

  @Post(':id/retry')
  @HttpCode(202)
  @RequireScope('jobs:write')
  @ApiOperation({
    summary: 'Retry a failed or cancelled job',
    description:
      'A failed job runs again under its id, its attempt count going on (attempts.made) and its trace kept. ' +
      'A cancelled job stays cancelled: its retry is a new job (id in the answer and Location) with the same task, payload, lane and options. ' +
      "The retried job counts towards the tenant's pending jobs (429 past TENANT_MAX_PENDING_JOBS).",
  })
  @ApiResponse({ status: 202, description: 'Queued again', schema: openApiSchemaOf(jobRetriedSchema) })
  @ApiResponse({ status: 404, description: 'No such job for this tenant' })
  @ApiResponse({ status: 409, description: 'The job is not failed or cancelled, or is being retried' })
  @ApiResponse({ status: 429, description: 'The tenant has too many pending jobs, or the lane is full' })
  async retry(
    @Param('id') id: string,
    @Caller() caller: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<JobRetried> {
    const retried = await this.retrier.retry(id, jobScopeOf(caller));
    const traceId = traceIdOf(retried.data.traceparent);
    reply.header('location', `/v1/jobs/${retried.id}`);
    return {
      id: retried.id,
      retryOf: retried.retryOf,
      task: retried.data.task,
      profile: retried.data.routing.profile,
      lane: retried.data.routing.lane,
      state: 'waiting',
      ...(traceId ? { traceId } : {}),
      links: jobLinks(retried.id, traceId, { jaegerUiUrl: this.config.JAEGER_UI_URL }),
    };
  }
}
