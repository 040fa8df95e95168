import {
  closeRedis,
  createRedis,
  type RedisConnection,
  type RedisMode,
  type RedisRole,
} from './redis-connection';

/** The settings `LaneRedis.connect` reads (SwitchyardConfig has them). */
export interface LaneRedisSettings {
  REDIS_URL: string;
  REDIS_MODE: RedisMode;
  /** Lanes with a Redis of their own: lane → URL of one standalone Redis. */
  LANE_REDIS_URLS: Readonly<Record<string, string>>;
}

/**
 * Each lane's Redis: its own (LANE_REDIS_URLS) or the main one (REDIS_URL), which also keeps every
 * key that is not a lane's (job index, quotas, idempotency, cancel records and channel).
 */
export class LaneRedis {
  constructor(
    readonly main: RedisConnection,
    /** The lanes that have their own connection. */
    readonly own: ReadonlyMap<string, RedisConnection> = new Map(),
  ) {}

  /**
   * Connects to REDIS_URL and to the own Redis of each of `lanes` that has one (every such lane when
   * absent), each with `role`.
   */
  static connect(
    settings: LaneRedisSettings,
    role: RedisRole,
    connectionName: string,
    lanes?: readonly string[],
  ): LaneRedis {
    const main = createRedis(settings.REDIS_URL, role, connectionName, settings.REDIS_MODE);
    const own = new Map(
      Object.entries(settings.LANE_REDIS_URLS)
        .filter(([lane]) => !lanes || lanes.includes(lane))
        .map(([lane, url]) => [lane, createRedis(url, role, `${connectionName}-${lane}`)] as const),
    );
    return new LaneRedis(main, own);
  }

  /** The connection that holds `lane`'s keys. */
  of(lane: string): RedisConnection {
    return this.own.get(lane) ?? this.main;
  }

  /** Every connection, the main one first. */
  all(): RedisConnection[] {
    return [this.main, ...this.own.values()];
  }

  /** Closes every connection (bounded, as `closeRedis`). */
  async close(timeoutMs: number): Promise<void> {
    await Promise.all(this.all().map((redis) => closeRedis(redis, timeoutMs)));
  }
}
