import { setTimeout as delay } from 'node:timers/promises';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LaneQueues, LaneRedis, RetentionSweeper } from '@switchyard/queue';
import { warnUnlessNoeviction } from '@switchyard/quotas';
import { shutdownTelemetry } from '@switchyard/telemetry';

/** Checks the job store at start; closes queues before their shared connection at shutdown, then flushes spans and metrics. */
@Injectable()
export class ApiLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly queues: LaneQueues,
    private readonly redis: LaneRedis,
    private readonly retention: RetentionSweeper,
  ) {}

  /** A Redis that evicts keys loses jobs silently: say so at start (without waiting on a Redis that is away). */
  onApplicationBootstrap(): void {
    for (const redis of this.redis.all())
      warnUnlessNoeviction(redis, (message) => new Logger('Redis').warn(message));
  }

  /** Every step bounded: a Redis or a trace backend that is away must not keep the api from exiting. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.race([this.retention.close(), delay(1_000, undefined, { ref: false })]);
    await Promise.race([this.queues.close(), delay(1_000, undefined, { ref: false })]);
    await this.redis.close(500);
    await Promise.race([shutdownTelemetry(), delay(2_000, undefined, { ref: false })]);
  }
}
