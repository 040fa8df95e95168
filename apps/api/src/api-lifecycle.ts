import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { LaneQueues } from '@switchyard/queue';
import { checkMaxmemoryPolicy } from '@switchyard/quotas';
import { shutdownTelemetry } from '@switchyard/telemetry';
import type { Redis } from 'ioredis';
import { REDIS } from './api.tokens';

/** Checks the job store at start; closes queues before their shared connection at shutdown, then flushes spans and metrics. */
@Injectable()
export class ApiLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly queues: LaneQueues,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** A Redis that evicts keys loses jobs silently: say so at start (without waiting on a Redis that is away). */
  onApplicationBootstrap(): void {
    checkMaxmemoryPolicy(this.redis).then(
      (check) => {
        if (!check.ok) new Logger('Redis').warn(check.message ?? `maxmemory-policy is ${check.policy}`);
      },
      () => undefined, // readiness reports an unreachable Redis
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queues.close();
    await this.redis.quit().catch(() => undefined);
    await shutdownTelemetry();
  }
}
