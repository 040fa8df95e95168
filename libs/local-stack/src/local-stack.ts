import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './free-port';
import { ensureRedis, type RedisHandle } from './private-redis';
import { ServiceProcess, type AppName } from './service-process';

export interface StackServiceSpec {
  /** Unique label, e.g. `compute-processes`. */
  name: string;
  app: AppName;
  /** Extra environment for this service (LANE, EXECUTION_MODEL, POOL_SIZE, IO_CONCURRENCY…). */
  env?: Record<string, string>;
  /** OS processes to run: the local stand-in for pods. @defaultValue 1 */
  replicas?: number;
  /** A fixed port (single replica only); a free one is picked when absent. */
  port?: number;
}

export interface LocalStackOptions {
  /** Redis to use; a private redis-server is started when nothing answers. @defaultValue REDIS_URL or redis://127.0.0.1:6379 */
  redisUrl?: string;
  /**
   * `cluster`: `redisUrl` lists the seed nodes of a running Redis Cluster (`startRedisCluster`'s
   * `seeds`), given to the services with REDIS_MODE=cluster; the stack neither starts nor stops it.
   * @defaultValue standalone
   */
  redisMode?: 'standalone' | 'cluster';
  /** Key prefix, so stacks never see each other's jobs. @defaultValue `switchyard-<random>` */
  prefix?: string;
  services: StackServiceSpec[];
  /** Environment shared by every service (HTTP_ALLOWED_HOSTS, DIAGNOSTIC_TASKS, OTEL_*…). */
  env?: Record<string, string>;
  /** One log file per process here; absent: logs are discarded; `inherit`: shown on this terminal. */
  logDir?: string | 'inherit';
}

export interface RunningService {
  name: string;
  app: AppName;
  replica: number;
  pid: number;
  /** api: its base URL; consumers: their health port's base URL. */
  baseUrl: string;
  process: ServiceProcess;
}

export interface LocalStack {
  apiUrl: string;
  redisUrl: string;
  prefix: string;
  /** Every lane a consumer in this stack serves, plus the defaults. */
  lanes: string[];
  services: RunningService[];
  /**
   * Starts a service's process again with the same environment, port and log file, once its previous
   * process has exited (it was killed or stopped), and waits until it is ready: a pod restarted by
   * its controller. Replaces the entry in `services`; `stop` stops the new process.
   */
  restart(service: RunningService): Promise<RunningService>;
  stop(): Promise<void>;
}

const DEFAULT_LANE: Record<AppName, string | undefined> = {
  api: undefined,
  'io-consumer': 'io',
  compute: 'cpu',
};

/**
 * Starts api and consumers as separate OS processes of the real apps (built in dist/), on free
 * ports, and waits until each is ready. Used by `npm start`, `npm run demo`, the lab and the e2e tests.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisMode = options.redisMode ?? 'standalone';
  const redis: RedisHandle =
    redisMode === 'cluster'
      ? { url: redisUrl, started: false, stop: async () => undefined }
      : await ensureRedis(redisUrl);
  const prefix = options.prefix ?? `switchyard-${randomUUID().slice(0, 8)}`;
  const lanes = [
    ...new Set([
      'io',
      'cpu',
      ...options.services
        .map((service) => service.env?.LANE ?? DEFAULT_LANE[service.app])
        .filter((lane): lane is string => !!lane),
    ]),
  ];
  if (options.logDir && options.logDir !== 'inherit') mkdirSync(options.logDir, { recursive: true });
  const running: RunningService[] = [];
  const stop = async () => {
    await Promise.all(running.map((service) => service.process.stop()));
    await redis.stop();
  };
  try {
    for (const spec of options.services) {
      for (let replica = 1; replica <= (spec.replicas ?? 1); replica++) {
        const port = spec.port ?? (await freePort());
        const label = `${spec.name}#${replica}`;
        const env: NodeJS.ProcessEnv = {
          // A local stack listens on loopback only, so it may run without keys and without a request
          // rate limit unless the caller sets them.
          AUTH: 'none',
          RATE_LIMIT: 'off',
          ...process.env,
          ...options.env,
          REDIS_URL: redis.url,
          REDIS_MODE: redisMode,
          QUEUE_PREFIX: prefix,
          LANES: lanes.join(','),
          HOST: '127.0.0.1',
          ...(spec.app === 'api' ? { PORT: String(port) } : { HEALTH_PORT: String(port) }),
          ...spec.env,
        };
        const baseUrl = `http://127.0.0.1:${port}`;
        const logFile =
          options.logDir === 'inherit'
            ? 'inherit'
            : options.logDir
              ? path.join(options.logDir, `${label.replace('#', '-')}.log`)
              : undefined;
        const process_ = new ServiceProcess({
          app: spec.app,
          label,
          env,
          readyUrl: `${baseUrl}/readyz`,
          logFile,
        });
        running.push({
          name: spec.name,
          app: spec.app,
          replica,
          pid: process_.pid,
          baseUrl,
          process: process_,
        });
      }
    }
    await Promise.all(running.map((service) => service.process.waitUntilReady()));
  } catch (error) {
    await stop();
    throw error;
  }
  const restart = async (service: RunningService): Promise<RunningService> => {
    const index = running.indexOf(service);
    if (index < 0)
      throw new Error(`${service.name}#${service.replica} is not a current service of this stack`);
    if (!service.process.hasExited) {
      throw new Error(
        `${service.name}#${service.replica} (pid ${service.pid}) still runs: kill or stop it first`,
      );
    }
    const process_ = new ServiceProcess(service.process.options);
    const restarted: RunningService = { ...service, pid: process_.pid, process: process_ };
    running[index] = restarted;
    await process_.waitUntilReady();
    return restarted;
  };
  const api = running.find((service) => service.app === 'api');
  return { apiUrl: api?.baseUrl ?? '', redisUrl: redis.url, prefix, lanes, services: running, restart, stop };
}
