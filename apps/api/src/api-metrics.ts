import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { LaneQueues } from '@switchyard/queue';
import { switchyardMetrics, type LaneDepth } from '@switchyard/telemetry';

/**
 * Feeds `switchyard_lane_depth` from BullMQ's counts at each collection (a `/metrics` scrape or
 * an OTLP push): one small Redis round trip per lane, so it stays cheap however often it runs.
 */
@Injectable()
export class ApiMetrics implements OnModuleInit, OnApplicationShutdown {
  #stopObserving?: () => void;

  constructor(private readonly queues: LaneQueues) {}

  onModuleInit(): void {
    this.#stopObserving = switchyardMetrics().observeLaneDepth(() => this.laneDepths());
  }

  onApplicationShutdown(): void {
    this.#stopObserving?.();
  }

  private laneDepths(): Promise<LaneDepth[]> {
    return Promise.all(
      this.queues.all().map(async (queue) => {
        const counts = await queue.getJobCounts('wait', 'prioritized', 'active', 'delayed');
        return {
          lane: queue.name,
          waiting: (counts.wait ?? 0) + (counts.prioritized ?? 0),
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
        };
      }),
    );
  }
}
