import {
  monitorEventLoopDelay,
  performance,
  type EventLoopUtilization,
  type IntervalHistogram,
} from 'node:perf_hooks';

/** What `/stats` serves: this process's runtime figures, for the scaling lab. */
export interface RuntimeStatsSnapshot {
  pid: number;
  uptimeMs: number;
  memory: { rssBytes: number; maxRssBytes: number };
  /** CPU time since the process started. */
  cpu: { userMicros: number; systemMicros: number };
  /** Since the last reset (or since the `RuntimeStats` was made). */
  eventLoop: { delayP50Ms: number; delayP99Ms: number; utilization: number };
}

export interface RuntimeStatsOptions {
  /** Sampling resolution of the event-loop delay histogram, in ms. @defaultValue 10 */
  resolutionMs?: number;
}

const NANOS_PER_MS = 1e6;

/**
 * Event-loop delay (perf_hooks `monitorEventLoopDelay`) and utilization (`eventLoopUtilization`
 * deltas) over a window the caller resets, plus memory and CPU. One per process; `close()` stops
 * the delay sampler.
 */
export class RuntimeStats {
  readonly #delay: IntervalHistogram;
  #utilizationSince: EventLoopUtilization;

  constructor(options: RuntimeStatsOptions = {}) {
    const resolution = options.resolutionMs ?? 10;
    if (!Number.isInteger(resolution) || resolution < 1) {
      throw new Error(`options.resolutionMs must be a positive integer, got ${resolution}`);
    }
    this.#delay = monitorEventLoopDelay({ resolution });
    this.#delay.enable();
    this.#utilizationSince = performance.eventLoopUtilization();
  }

  /** Reads the figures; with `reset`, the next window starts now. */
  snapshot(options: { reset?: boolean } = {}): RuntimeStatsSnapshot {
    const utilization = performance.eventLoopUtilization(this.#utilizationSince);
    const sampled = this.#delay.count > 0;
    const { user, system } = process.cpuUsage();
    const snapshot: RuntimeStatsSnapshot = {
      pid: process.pid,
      uptimeMs: Math.round(process.uptime() * 1000),
      memory: { rssBytes: process.memoryUsage.rss(), maxRssBytes: process.resourceUsage().maxRSS * 1024 },
      cpu: { userMicros: user, systemMicros: system },
      eventLoop: {
        delayP50Ms: sampled ? this.#delay.percentile(50) / NANOS_PER_MS : 0,
        delayP99Ms: sampled ? this.#delay.percentile(99) / NANOS_PER_MS : 0,
        utilization: utilization.utilization,
      },
    };
    if (options.reset) {
      this.#delay.reset();
      this.#utilizationSince = performance.eventLoopUtilization();
    }
    return snapshot;
  }

  close(): void {
    this.#delay.disable();
  }
}
