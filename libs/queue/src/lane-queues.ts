import { Queue, type Telemetry } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobData, JobResultEnvelope } from '@switchyard/contracts';

export type LaneQueue = Queue<JobData, JobResultEnvelope, string>;

export interface LaneQueuesOptions {
  connection: Redis;
  prefix: string;
  lanes: readonly string[];
  /** Passed to every Queue (bullmq-otel's BullMQOtel instance). */
  telemetry?: Telemetry;
}

/** One BullMQ Queue per lane, sharing one connection. Queue names are wire format: the lane name. */
export class LaneQueues {
  private readonly queues = new Map<string, LaneQueue>();
  private closing?: Promise<void>;

  constructor(options: LaneQueuesOptions) {
    for (const lane of options.lanes) {
      this.queues.set(
        lane,
        new Queue<JobData, JobResultEnvelope, string>(lane, {
          connection: options.connection,
          prefix: options.prefix,
          telemetry: options.telemetry,
          skipWaitingForReady: true,
        }),
      );
    }
  }

  get lanes(): string[] {
    return [...this.queues.keys()];
  }

  get(lane: string): LaneQueue {
    const queue = this.queues.get(lane);
    if (!queue) throw new Error(`no queue for lane "${lane}"`);
    return queue;
  }

  all(): LaneQueue[] {
    return [...this.queues.values()];
  }

  close(): Promise<void> {
    this.closing ??= Promise.all(this.all().map((queue) => queue.close())).then(() => undefined);
    return this.closing;
  }
}
