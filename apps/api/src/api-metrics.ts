import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { LaneQueues } from '@switchyard/queue';
import { switchyardMetrics } from '@switchyard/telemetry';

/**
 * Feeds `switchyard_lane_depth` from BullMQ's counts at each collection (a `/metrics` scrape or
 * an OTLP push): one small Redis round trip per lane, so it stays cheap however often it runs.
 */
@Injectable()
export class ApiMetrics implements OnModuleInit, OnApplicationShutdown {
  #stopObserving?: () => void;

  constructor(private readonly queues: LaneQueues) {}

  onModuleInit(): void {
    this.#stopObserving = switchyardMetrics().observeLaneDepth(() => this.queues.counts());
  }

  onApplicationShutdown(): void {
    this.#stopObserving?.();
  }
}
