import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ProblemError } from '@switchyard/contracts';
import { renderPrometheus } from '@switchyard/telemetry';
import type { Redis } from 'ioredis';
import { REDIS } from '../api.tokens';

@ApiExcludeController()
@Controller()
export class HealthController {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  @Get('healthz')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  async ready(): Promise<{ status: 'ready' }> {
    try {
      await this.redis.ping();
      return { status: 'ready' };
    } catch (error) {
      throw new ProblemError(503, 'Not ready', `Redis is not reachable: ${(error as Error).message}`);
    }
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return renderPrometheus();
  }
}
