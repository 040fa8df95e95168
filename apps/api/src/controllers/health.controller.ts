import { setTimeout as delay } from 'node:timers/promises';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { livenessSchema, readinessSchema } from '@switchyard/contracts';
import { LaneQueues, LaneRedis } from '@switchyard/queue';
import { renderPrometheus } from '@switchyard/telemetry';
import { z } from 'zod';
import { ApiContract } from '../openapi/api-contract.decorator';
import { ProblemError } from '../problems/problem-error';

/** Not ready when Redis does not answer a PING this fast: probes time out after 1 s or more. */
const READY_PING_TIMEOUT_MS = 500;

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly redis: LaneRedis,
    private readonly queues: LaneQueues,
  ) {}

  @Get('healthz')
  @ApiContract({
    operationId: 'getLiveness',
    summary: 'Liveness: the process answers (no key needed)',
    scope: 'public',
    responses: { 200: { description: 'Alive', schema: livenessSchema } },
  })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * 503 within 500 ms when Redis is away or hangs, whatever the connection's retry policy, and while a
   * lane's queue has not initialised (one whose initialisation failed never recovers: restart the api).
   */
  @Get('readyz')
  @ApiContract({
    operationId: 'getReadiness',
    summary: 'Readiness: Redis answers and every lane is ready (no key needed)',
    scope: 'public',
    responses: { 200: { description: 'Ready', schema: readinessSchema } },
    problems: [[503, 'Not ready: Redis is not reachable, or a lane has not initialised']],
  })
  async ready(): Promise<{ status: 'ready' }> {
    const down = this.redis.all().find((redis) => redis.status !== 'ready');
    const problem = !down
      ? await Promise.race([
          Promise.all([
            ...this.redis.all().map((redis) => redis.ping()),
            ...this.queues.all().map((queue) => queue.waitUntilReady()),
          ]).then(
            () => undefined,
            (error: Error) => error.message,
          ),
          delay(READY_PING_TIMEOUT_MS, `no answer within ${READY_PING_TIMEOUT_MS} ms`, { ref: false }),
        ])
      : `a connection is ${down.status}`;
    if (problem) throw new ProblemError(503, 'Not ready', `Redis is not reachable: ${problem}`);
    return { status: 'ready' };
  }

  @Get('metrics')
  @ApiContract({
    operationId: 'getMetrics',
    summary: 'Prometheus metrics (the admin scope, or no key on ADMIN_PORT)',
    scope: 'admin',
    responses: {
      200: {
        description: 'The Prometheus text exposition format (version 0.0.4)',
        schema: z.string(),
        contentType: 'text/plain',
      },
    },
  })
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return renderPrometheus();
  }
}
