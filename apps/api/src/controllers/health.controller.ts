import { setTimeout as delay } from 'node:timers/promises';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { LaneQueues } from '@switchyard/queue';
import { renderPrometheus } from '@switchyard/telemetry';
import { Redis } from 'ioredis';
import { ProblemError } from '../problems/problem-error';

/** Not ready when Redis does not answer a PING this fast: probes time out after 1 s or more. */
const READY_PING_TIMEOUT_MS = 500;

@ApiExcludeController()
@Controller()
export class HealthController {
  constructor(
    private readonly redis: Redis,
    private readonly queues: LaneQueues,
  ) {}

  @Get('healthz')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * 503 within 500 ms when Redis is away or hangs, whatever the connection's retry policy, and while a
   * lane's queue has not initialised (one whose initialisation failed never recovers: restart the api).
   */
  @Get('readyz')
  async ready(): Promise<{ status: 'ready' }> {
    const problem =
      this.redis.status === 'ready'
        ? await Promise.race([
            Promise.all([
              this.redis.ping(),
              ...this.queues.all().map((queue) => queue.waitUntilReady()),
            ]).then(
              () => undefined,
              (error: Error) => error.message,
            ),
            delay(READY_PING_TIMEOUT_MS, `no answer within ${READY_PING_TIMEOUT_MS} ms`, { ref: false }),
          ])
        : `the connection is ${this.redis.status}`;
    if (problem) throw new ProblemError(503, 'Not ready', `Redis is not reachable: ${problem}`);
    return { status: 'ready' };
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return renderPrometheus();
  }
}
