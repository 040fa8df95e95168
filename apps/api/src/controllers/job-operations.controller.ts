import { Controller, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@switchyard/auth';
import type { SwitchyardConfig } from '@switchyard/config';
import { jobRetriedSchema, type JobRetried } from '@switchyard/contracts';
import { JobRetrier } from '@switchyard/queue';
import type { FastifyReply } from 'fastify';
import { CONFIG } from '../api.tokens';
import { jobAccepted } from './job-accepted';
import { ApiContract } from '../openapi/api-contract.decorator';
import { Caller } from '../security/require-scope';
import { jobScopeOf } from './caller-scope';

@ApiTags('jobs')
@Controller('v1/jobs')
export class JobOperationsController {
  constructor(
    private readonly retrier: JobRetrier,
    @Inject(CONFIG) private readonly config: SwitchyardConfig,
  ) {}

  @Post(':id/retry')
  @HttpCode(202)
  @ApiParam({ name: 'id', description: 'The failed or cancelled job', schema: { type: 'string' } })
  @ApiContract({
    operationId: 'retryJob',
    summary: 'Retry a failed or cancelled job',
    description:
      'A failed job runs again under its id, its attempt count going on (attempts.made) and its trace kept. ' +
      'A cancelled job stays cancelled: its retry is a new job (id in the answer and Location) with the same task, payload, lane and options. ' +
      "The retried job counts towards the tenant's pending jobs (429 past TENANT_MAX_PENDING_JOBS).",
    scope: 'jobs:write',
    responses: {
      202: {
        description: 'Queued again',
        schema: jobRetriedSchema,
        headers: {
          Location: { description: 'The job that runs', required: true, schema: { type: 'string' } },
        },
      },
    },
    problems: [
      404,
      [409, 'The job is neither failed nor cancelled (its `state` is in the problem), or is being retried'],
      414,
      503,
    ],
  })
  async retry(
    @Param('id') id: string,
    @Caller() caller: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<JobRetried> {
    const retried = await this.retrier.retry(id, jobScopeOf(caller));
    reply.header('location', `/v1/jobs/${retried.id}`);
    return { ...jobAccepted(retried, this.config.JAEGER_UI_URL), retryOf: retried.retryOf };
  }
}
