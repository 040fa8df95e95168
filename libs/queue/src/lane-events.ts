import { createLogger, logConnectionErrors } from '@switchyard/telemetry';
import { setTimeout as delay } from 'node:timers/promises';
import { QueueEvents, type QueueEventsOptions } from 'bullmq';
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
  /**
   * How long the readers keep reading once the last watcher has gone, so that a client polling with
   * `?wait=` or reconnecting its stream does not start and stop them each time. @defaultValue 30000
   */
  idleCloseMs?: number;
}

interface LaneReader {
  events: QueueEvents;
  connection: RedisConnection;
  /** Resolves once the reader knows where it starts reading (its stream's last entry when it started). */
  positioned: Promise<void>;
}

/** How long a follow waits for the readers' first read before reading the job anyway (Redis away). */
const READY_WAIT_MS = 2_000;

/**
 * Every lane's BullMQ event stream, read by one `QueueEvents` and one blocking connection per lane and
 * handed out per job id: a stream per HTTP request would cost a Redis connection each. Watchers live in
 * a map keyed by job id, so the emitters keep a fixed set of listeners however many clients come and go.
 *
 * The readers run only while someone watches (and `idleCloseMs` after): reading a lane's stream decodes
 * every event of every job (~5 per job), which cost the api about a fifth of its CPU per job under load
 * (docs/performance.md) while nobody was listening.
 */
export class LaneEvents {
  private readers?: LaneReader[];
  private readonly watchers = new Map<string, Set<JobEventListener>>();
  private idleTimer?: NodeJS.Timeout;
  private readonly stopping = new Set<Promise<void>>();
  private closing?: Promise<void>;

  constructor(private readonly options: LaneEventsOptions) {}

  /**
   * Calls `listener` on each event of job `jobId` until the returned function is called; starts the
   * readers when they are not running (`waitUntilReady` says when they hear events).
   */
  watch(jobId: string, listener: JobEventListener): () => void {
    this.start();
    let listeners = this.watchers.get(jobId);
    if (!listeners) this.watchers.set(jobId, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.watchers.get(jobId) === listeners) this.watchers.delete(jobId);
      if (this.watchers.size === 0) this.stopWhenIdle();
    };
  }

  /** How many jobs have a watcher now: 0 once every stream and waiting read has ended. */
  get watchedJobs(): number {
    return this.watchers.size;
  }

  /** True while the lanes' readers run (someone watches, or did within `idleCloseMs`). */
  get reading(): boolean {
    return this.readers !== undefined;
  }

  /** Listeners on the BullMQ emitters: fixed while the readers run, whatever the number of watchers. */
  get emitterListeners(): number {
    return (this.readers ?? []).reduce(
      (sum, { events }) => sum + JOB_EVENTS.reduce((count, name) => count + events.listenerCount(name), 0),
      0,
    );
  }

  /**
   * Starts the readers if they are not running and resolves once every lane's reader knows where it
   * reads from: the last entry of its stream when it started, so every event after that is heard, however
   * late its first read goes out. With Redis away it resolves after `READY_WAIT_MS` anyway, so a follow
   * reads the job (and fails as a read does) instead of hanging.
   */
  async waitUntilReady(): Promise<void> {
    const readers = this.start();
    await Promise.race([
      Promise.all(readers.map(({ positioned }) => positioned)),
      delay(READY_WAIT_MS, undefined, { ref: false }),
    ]);
  }

  /** Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearTimeout(this.idleTimer);
      const readers = this.readers;
      this.readers = undefined;
      await Promise.all([...this.stopping, stopReaders(readers ?? [])]);
      this.watchers.clear();
    })();
    return this.closing;
  }

  private start(): LaneReader[] {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.readers) return this.readers;
    if (this.closing) return [];
    const logger = createLogger('switchyard-queue');
    this.readers = this.options.lanes.map((lane) => {
      // XREAD BLOCK holds its connection: each reader gets its own, one that never gives up on a command.
      const ownUrl = this.options.laneRedisUrls?.[lane];
      const connection = ownUrl
        ? createRedis(ownUrl, 'worker', 'switchyard-api-events')
        : createRedis(
            this.options.redisUrl,
            'worker',
            'switchyard-api-events',
            this.options.redisMode ?? 'standalone',
          );
      // Until BullMQ attaches its own listener (and after it closes), ioredis prints errors raw.
      connection.on('error', () => undefined);
      const events = new QueueEvents(lane, {
        connection,
        prefix: laneQueuePrefix(this.options.prefix, lane),
        autorun: false,
      });
      // A lane's reader reconnects by itself; one JSON line now and then says it cannot read (Redis away).
      logConnectionErrors(events, logger, { what: `queue events ${lane}` });
      for (const name of JOB_EVENTS) {
        events.on(name, (args: { jobId: string }) => this.notify(args.jobId, name));
      }
      // From the stream's last entry now, not from '$' at its first XREAD: a follow reads the job once this
      // resolves, and an event between the two would otherwise be missed until the follow's recheck.
      // Never rejects: a reader that could not read its position reads from '$', as before.
      const positioned = lastEntryId(connection, events.keys.events)
        .then(
          (id) => void ((events.opts as QueueEventsOptions).lastEventId = id),
          () => undefined,
        )
        .then(() => {
          if (!events.closing) events.run().catch((error: unknown) => events.emit('error', error as Error));
        });
      return { events, connection, positioned };
    });
    return this.readers;
  }

  private stopWhenIdle(): void {
    if (this.closing || !this.readers) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      const readers = this.readers;
      this.readers = undefined;
      const stopped = stopReaders(readers ?? []).finally(() => this.stopping.delete(stopped));
      this.stopping.add(stopped);
    }, this.options.idleCloseMs ?? 30_000);
    this.idleTimer.unref();
  }

  private notify(jobId: string, event: LaneEventName): void {
    for (const listener of this.watchers.get(jobId) ?? []) listener(event);
  }
}

async function stopReaders(readers: readonly LaneReader[]): Promise<void> {
  await Promise.all(
    readers.map(async ({ events, connection }) => {
      // With Redis away, closing waits for a blocked read that never returns: bounded, then dropped.
      await Promise.race([events.close().catch(() => undefined), delay(1_000, undefined, { ref: false })]);
      await closeRedis(connection, 1_000);
    }),
  );
}

/** The id of the last entry of stream `key`, or `0-0` for an empty or absent stream. */
async function lastEntryId(connection: RedisConnection, key: string): Promise<string> {
  const [last] = await connection.xrevrange(key, '+', '-', 'COUNT', 1);
  return last?.[0] ?? '0-0';
}
