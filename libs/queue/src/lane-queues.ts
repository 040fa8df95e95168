import { Job, Queue, type JobsOptions, type Telemetry } from 'bullmq';
import type { ChainableCommander } from 'ioredis';
import { createLogger, logConnectionErrors, untraced } from '@switchyard/telemetry';
import type { JobData, JobResultEnvelope, LaneStats } from '@switchyard/contracts';
import type { RedisConnection } from './redis-connection';
import { cancelledJobsKey, laneQueuePrefix } from './switchyard-keys';

export type LaneQueue = Queue<JobData, JobResultEnvelope, string>;

export interface LaneQueuesOptions {
  connection: RedisConnection;
  /** Lanes with a Redis of their own (LANE_REDIS_URLS; `LaneRedis.own`). @defaultValue none */
  laneConnections?: ReadonlyMap<string, RedisConnection>;
  /** QUEUE_PREFIX; each lane's queue gets `laneQueuePrefix(prefix, lane)`. */
  prefix: string;
  lanes: readonly string[];
  /** Passed to every Queue (`bullmqTelemetry()` from @switchyard/telemetry). */
  telemetry?: Telemetry;
}

/** One lane's job counts: what `GET /v1/queues` reports of a lane but its workers and pause flag. */
export type LaneCounts = Omit<LaneStats, 'workers' | 'paused'>;

/** A job for `addAtomically`. */
export interface LaneJobInsert {
  lane: string;
  data: JobData;
  opts: JobsOptions & { jobId: string };
}

/** One BullMQ Queue per lane, sharing one connection. Queue names are wire format: the lane name. */
export class LaneQueues {
  private readonly queues = new Map<string, LaneQueue>();
  private closing?: Promise<void>;
  readonly #connection: RedisConnection;
  readonly #laneConnections: ReadonlyMap<string, RedisConnection>;
  readonly #prefix: string;
  readonly #logger = createLogger('switchyard-queue');

  constructor(options: LaneQueuesOptions) {
    this.#connection = options.connection;
    this.#laneConnections = options.laneConnections ?? new Map<string, RedisConnection>();
    this.#prefix = options.prefix;
    const logger = this.#logger;
    for (const lane of options.lanes) {
      const queue = new Queue<JobData, JobResultEnvelope, string>(lane, {
        connection: this.#laneConnections.get(lane) ?? options.connection,
        prefix: laneQueuePrefix(options.prefix, lane),
        telemetry: options.telemetry,
      });
      // Without a listener BullMQ prints each connection error as a multi-line dump (not JSON).
      logConnectionErrors(queue, logger, { what: `queue ${lane}` });
      this.queues.set(lane, queue);
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
   * All or nothing, across lanes, on one Redis: every insert goes in one MULTI/EXEC on the lanes'
   * shared connection (BullMQ's own `addBulk` is one lane's pipeline, not a transaction). A
   * transaction Redis refuses (EXECABORT: out of memory, say) writes nothing. Redis does not roll back
   * a command that fails inside an executed transaction, so the jobs that were written are then
   * removed again before the error is thrown.
   *
   * On a Redis Cluster a transaction cannot span slots, and each lane has its own (nor can it span the
   * Redis servers of lanes with their own, LANE_REDIS_URLS): one MULTI per lane,
   * sent together, then `alsoInTransaction`'s writes in a step of their own once every lane's jobs are
   * in. When a lane's MULTI fails, the jobs the other lanes took are removed again before the error is
   * thrown; a consumer may have started one of them meanwhile (a weaker guarantee, documented in
   * docs/redis-cluster.md). A failed `alsoInTransaction` step leaves the jobs in place, unlisted.
   *
   * Untraced on purpose: each job of a batch carries its own trace context, and one producer span per
   * job in the batch request's trace is what the batch links are there to avoid.
   */
  addAtomically(
    inserts: readonly LaneJobInsert[],
    /** More writes (the job index's): in the same transaction on one Redis, after the jobs on a cluster. */
    alsoInTransaction?: (multi: ChainableCommander) => void,
  ): Promise<void> {
    return untraced(async () => {
      const oneRedis =
        !this.#connection.isCluster && inserts.every(({ lane }) => !this.#laneConnections.has(lane));
      if (oneRedis) return this.#addInOneMulti(inserts, alsoInTransaction);
      await this.#addPerLane(inserts);
      if (!alsoInTransaction) return;
      const multi = this.#connection.multi();
      alsoInTransaction(multi);
      // The jobs are in and will run: the answer stays a success, and the miss is said here (ids only).
      const results = await multi.exec().catch((error: unknown) => [[error, undefined] as const]);
      const failure = results?.find(([error]) => error)?.[0];
      if (failure) {
        this.#logger.warn(
          { err: failure, jobIds: inserts.map(({ opts }) => opts.jobId) },
          'jobs written, but their index entries were not: they are readable by id and missing from GET /v1/jobs',
        );
      }
    });
  }

  async #addPerLane(inserts: readonly LaneJobInsert[]): Promise<void> {
    const byLane = new Map<string, LaneJobInsert[]>();
    for (const insert of inserts) {
      const laneInserts = byLane.get(insert.lane);
      if (laneInserts) laneInserts.push(insert);
      else byLane.set(insert.lane, [insert]);
    }
    const outcomes = await Promise.allSettled(
      [...byLane.values()].map((laneInserts) => this.#addInOneMulti(laneInserts)),
    );
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (!failed) return;
    const written = [...byLane.values()].filter((_, index) => outcomes[index].status === 'fulfilled');
    await Promise.all(
      written.flat().map(({ lane, opts }) =>
        this.get(lane)
          .remove(opts.jobId)
          .catch(() => undefined),
      ),
    );
    throw failed.reason;
  }

  /** One MULTI/EXEC; on a partial failure, removes the jobs it wrote before throwing. */
  async #addInOneMulti(
    inserts: readonly LaneJobInsert[],
    alsoInTransaction?: (multi: ChainableCommander) => void,
  ): Promise<void> {
    // The queues' client has BullMQ's scripts loaded; a MULTI made from it can call them.
    const client = await this.get(inserts[0].lane).backend.client;
    const multi = client.multi();
    const jobs = inserts.map(
      ({ lane, data, opts }) => new Job(this.get(lane), data.task, data, opts, opts.jobId),
    );
    // Each insert is queued on the MULTI synchronously; awaiting surfaces BullMQ's option checks. If one
    // throws, nothing was sent: a MULTI goes to Redis as a whole, by exec().
    await Promise.all(jobs.map((job) => job.addJob(multi)));
    // BullMQ's transaction wraps the same ioredis MULTI: the shared connection's other scripts join it.
    alsoInTransaction?.(multi as unknown as ChainableCommander);
    const results = (await multi.exec()) ?? [];
    const failure = results.find(([error]) => error)?.[0];
    if (!failure) return;
    await Promise.all(
      jobs.map((job, index) => (results[index]?.[0] ? undefined : job.remove().catch(() => undefined))),
    );
    throw failure;
  }

  /**
   * Every lane's counts, two Redis round trips per lane; `waiting` includes prioritized jobs. A job
   * cancelled while it ran is `cancelled`, not `failed`; one cancelled before it started left the lane.
   */
  counts(): Promise<LaneCounts[]> {
    return Promise.all(
      this.all().map(async (queue) => {
        const [counts, cancelled] = await Promise.all([
          queue.getJobCounts('wait', 'prioritized', 'active', 'delayed', 'completed', 'failed'),
          this.#cancelledInFailed(queue),
        ]);
        return {
          lane: queue.name,
          waiting: (counts.wait ?? 0) + (counts.prioritized ?? 0),
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          completed: counts.completed ?? 0,
          failed: Math.max(0, (counts.failed ?? 0) - cancelled),
          cancelled,
        };
      }),
    );
  }

  /** Cancelled jobs BullMQ still keeps as failed (retention removes both alike): ZINTERCARD, Redis 7. */
  async #cancelledInFailed(queue: LaneQueue): Promise<number> {
    const cancelled = cancelledJobsKey(this.#prefix, queue.name);
    const connection = this.#laneConnections.get(queue.name) ?? this.#connection;
    return connection.zintercard(2, queue.toKey('failed'), cancelled);
  }

  all(): LaneQueue[] {
    return [...this.queues.values()];
  }

  close(): Promise<void> {
    this.closing ??= Promise.all(this.all().map((queue) => queue.close())).then(() => undefined);
    return this.closing;
  }
}
