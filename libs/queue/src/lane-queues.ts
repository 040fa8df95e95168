import { FlowProducer, Queue, type JobsOptions, type Telemetry } from 'bullmq';
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

/** A job for `addAtomically`. */
export interface LaneJobInsert {
  lane: string;
  data: JobData;
  opts: JobsOptions & { jobId: string };
}

/** One BullMQ Queue per lane, sharing one connection. Queue names are wire format: the lane name. */
export class LaneQueues {
  private readonly queues = new Map<string, LaneQueue>();
  /**
   * Adds jobs to several lanes in one MULTI (BullMQ's flows, without children). Untraced on purpose:
   * each job of a batch carries its own trace context, and one producer span per job in the batch
   * request's trace is what the batch links are there to avoid.
   */
  private readonly flows: FlowProducer;
  private closing?: Promise<void>;

  constructor(options: LaneQueuesOptions) {
    this.flows = new FlowProducer({ connection: options.connection, prefix: options.prefix });
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

  /**
   * All or nothing, across lanes: the inserts go to Redis as one MULTI/EXEC. Validate first: a Redis
   * transaction does not roll back a command that fails inside it.
   */
  async addAtomically(jobs: readonly LaneJobInsert[]): Promise<void> {
    await this.flows.addBulk(
      jobs.map(({ lane, data, opts }) => ({ name: data.task, queueName: this.get(lane).name, data, opts })),
    );
  }

  all(): LaneQueue[] {
    return [...this.queues.values()];
  }

  close(): Promise<void> {
    this.closing ??= Promise.all([...this.all().map((queue) => queue.close()), this.flows.close()]).then(
      () => undefined,
    );
    return this.closing;
  }
}
