import { createLogger, logConnectionErrors } from '@switchyard/telemetry';
import { setTimeout as delay } from 'node:timers/promises';
import { QueueEvents } from 'bullmq';
import { closeRedis, createRedis, type RedisConnection, type RedisMode } from './redis-connection';
import { laneQueuePrefix } from './switchyard-keys';

/** The BullMQ events that can change what a job's view shows. */
const JOB_EVENTS = ['waiting', 'delayed', 'active', 'progress', 'completed', 'failed', 'removed'] as const;

export type LaneEventName = (typeof JOB_EVENTS)[number];

/** Told the name of each event a watched job had; the job's view says what changed. */
export type JobEventListener = (event: LaneEventName) => void;

export interface LaneEventsOptions {
  redisUrl: string;
  /** REDIS_MODE. @defaultValue standalone */
  redisMode?: RedisMode;
  /** LANE_REDIS_URLS: a lane listed here is read from its own (standalone) Redis. @defaultValue none */
  laneRedisUrls?: Readonly<Record<string, string>>;
  /** QUEUE_PREFIX. */
  prefix: string;
  lanes: readonly string[];
}

/**
 * Every lane's BullMQ event stream, read once per api process (one `QueueEvents` and one blocking
 * connection per lane) and handed out per job id: a stream per HTTP request would cost a Redis
 * connection each. Watchers live in a map keyed by job id, so the `QueueEvents` emitters keep a fixed
 * set of listeners however many clients come and go.
 */
export class LaneEvents {
  private readonly readers: { events: QueueEvents; connection: RedisConnection }[] = [];
  private readonly watchers = new Map<string, Set<JobEventListener>>();
  private closing?: Promise<void>;

  constructor(options: LaneEventsOptions) {
    const logger = createLogger('switchyard-queue');
    for (const lane of options.lanes) {
      // XREAD BLOCK holds its connection: each reader gets its own, one that never gives up on a command.
      const ownUrl = options.laneRedisUrls?.[lane];
      const connection = ownUrl
        ? createRedis(ownUrl, 'worker', 'switchyard-api-events')
        : createRedis(options.redisUrl, 'worker', 'switchyard-api-events', options.redisMode ?? 'standalone');
      // Until BullMQ attaches its own listener (and after it closes), ioredis prints errors raw.
      connection.on('error', () => undefined);
      const events = new QueueEvents(lane, { connection, prefix: laneQueuePrefix(options.prefix, lane) });
      // A lane's reader reconnects by itself; one JSON line now and then says it cannot read (Redis away).
      logConnectionErrors(events, logger, { what: `queue events ${lane}` });
      for (const name of JOB_EVENTS) {
        events.on(name, (args: { jobId: string }) => this.notify(args.jobId, name));
      }
      this.readers.push({ events, connection });
    }
  }

  /** Calls `listener` on each event of job `jobId` until the returned function is called. */
  watch(jobId: string, listener: JobEventListener): () => void {
    let listeners = this.watchers.get(jobId);
    if (!listeners) this.watchers.set(jobId, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.watchers.get(jobId) === listeners) this.watchers.delete(jobId);
    };
  }

  /** How many jobs have a watcher now: 0 once every stream and waiting read has ended. */
  get watchedJobs(): number {
    return this.watchers.size;
  }

  /** Listeners on the BullMQ emitters: fixed at start, whatever the number of watchers. */
  get emitterListeners(): number {
    return this.readers.reduce(
      (sum, { events }) => sum + JOB_EVENTS.reduce((count, name) => count + events.listenerCount(name), 0),
      0,
    );
  }

  /** Resolves once every lane's reader issued its first read: events from then on are heard. */
  async waitUntilReady(): Promise<void> {
    await Promise.all(this.readers.map(({ events }) => events.waitUntilReady()));
  }

  /** Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= Promise.all(
      this.readers.map(async ({ events, connection }) => {
        // With Redis away, closing waits for a blocked read that never returns: bounded, then dropped.
        await Promise.race([events.close().catch(() => undefined), delay(1_000, undefined, { ref: false })]);
        await closeRedis(connection, 1_000);
      }),
    ).then(() => this.watchers.clear());
    return this.closing;
  }

  private notify(jobId: string, event: LaneEventName): void {
    for (const listener of this.watchers.get(jobId) ?? []) listener(event);
  }
}
