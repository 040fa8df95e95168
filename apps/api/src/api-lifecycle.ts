import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { LaneQueues } from '@switchyard/queue';
import { shutdownTelemetry } from '@switchyard/telemetry';
import type { Redis } from 'ioredis';
import { REDIS } from './api.tokens';

/** Closes queues before their shared connection at shutdown, then flushes spans and metrics. */
@Injectable()
export class ApiLifecycle implements OnApplicationShutdown {
  constructor(
    private readonly queues: LaneQueues,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queues.close();
    await this.redis.quit().catch(() => undefined);
    await shutdownTelemetry();
  }
}
