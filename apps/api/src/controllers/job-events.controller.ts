import { PassThrough } from 'node:stream';
import { Controller, Get, Headers, Param, Res, type BeforeApplicationShutdown } from '@nestjs/common';
import { ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@switchyard/auth';
import { jobEventSchema } from '@switchyard/contracts';
import { isFinalState, JobWatcher, LaneEvents, type JobEvent, type JobFollow } from '@switchyard/queue';
import type { FastifyReply } from 'fastify';
import { ApiContract } from '../openapi/api-contract.decorator';
import { Caller } from '../security/require-scope';
import { jobScopeOf } from './caller-scope';

/** A comment line this often keeps proxies and load balancers from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

/** One Server-Sent Event: the view is JSON on one line (JSON escapes line breaks in strings). */
function frame(sequence: number, { kind, view }: JobEvent): string {
  return `id: ${sequence}\nevent: ${kind}\ndata: ${JSON.stringify(view)}\n\n`;
}

@ApiTags('jobs')
@Controller('v1/jobs')
export class JobEventsController implements BeforeApplicationShutdown {
  private readonly open = new Set<JobFollow>();

  constructor(
    private readonly watcher: JobWatcher,
    private readonly events: LaneEvents,
  ) {}

  @Get(':id/events')
  @ApiParam({ name: 'id', description: 'The job id returned at submission', schema: { type: 'string' } })
  @ApiContract({
    operationId: 'followJob',
    summary: "A job's events as Server-Sent Events",
    description:
      'event: state (first), progress, then completed, failed or cancelled, after which the stream ends; each data: is the job view (JobView). ' +
      'A job that already ended gets its final event at once. A comment line every 15 s keeps proxies from closing a quiet stream.',
    scope: 'jobs:read',
    responses: {
      200: {
        description: "The stream, one JobEvent at a time; each event's data is the job's view as JSON",
        schema: jobEventSchema,
        contentType: 'text/event-stream',
      },
    },
    problems: [
      404,
      414,
      [
        503,
        'The job store is not reachable, or this api already holds JOB_WATCHES_MAX event streams and waiting reads (Retry-After)',
      ],
    ],
  })
  @ApiResponse({
    status: 204,
    description: 'A reconnect (Last-Event-ID) to a job that has ended: EventSource stops reconnecting',
  })
  async follow(
    @Param('id') id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Caller() caller: Principal,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const stream = new PassThrough();
    let sequence = 0;
    let ended = false;
    const follow = await this.watcher.follow(id, jobScopeOf(caller), (event) => {
      ended = isFinalState(event.view.state);
      stream.write(frame(++sequence, event));
    });
    if (lastEventId !== undefined && ended && sequence === 1) {
      stream.destroy();
      reply.code(204).send();
      return;
    }
    this.open.add(follow);
    const heartbeat = setInterval(() => stream.write(': keep-alive\n\n'), HEARTBEAT_MS);
    void follow.closed.then(() => {
      clearInterval(heartbeat);
      this.open.delete(follow);
      stream.end();
    });
    // The client went away (or the stream ended): stop following at once.
    reply.raw.on('close', () => follow.close());
    reply
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-cache, no-transform')
      .header('x-accel-buffering', 'no') // nginx: pass each event on as it comes
      .send(stream);
  }

  /** Open streams end before the server closes (it would wait for them), then the lanes' readers stop. */
  async beforeApplicationShutdown(): Promise<void> {
    for (const follow of this.open) follow.close();
    await this.events.close();
  }
}
