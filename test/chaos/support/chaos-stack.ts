import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { SwitchyardClient } from '@switchyard/client';
import {
  DurableRedis,
  startLocalStack,
  type AppendFsyncPolicy,
  type LocalStack,
  type RunningService,
  type StackServiceSpec,
} from '@switchyard/local-stack';

export interface ChaosStackOptions {
  services: StackServiceSpec[];
  /** Added to (and overriding) the chaos defaults below. */
  env?: Record<string, string>;
  /**
   * The private Redis's AOF fsync policy. `always` by default: the scenarios crash Redis with SIGKILL,
   * and under `everysec` Redis may acknowledge writes it has not yet written when its fsync lags (a
   * shared disk), so a lost job would measure the disk, not Switchyard. With `always` Redis's own
   * durability is exact and any loss is Switchyard's. @defaultValue always
   */
  appendfsync?: AppendFsyncPolicy;
}

export interface ChaosStack {
  redis: DurableRedis;
  stack: LocalStack;
  client: SwitchyardClient;
  /** One log file per process, named in failures. */
  logDir: string;
  /** The current process of a service (after a restart, the new one). */
  service(name: string): RunningService;
  /** Starts a killed or stopped service again (same env, port, log file) and waits until it is ready. */
  restart(name: string): Promise<RunningService>;
  stop(): Promise<void>;
}

/**
 * Environment every scenario shares. AUTH=none: the chaos suite proves crash behaviour, not access
 * control. RATE_LIMIT=off: a scenario polls hundreds of jobs from one address. DRAIN_TIMEOUT_MS is
 * short so drains and their bounds fit the suite's time.
 */
const CHAOS_ENV: Record<string, string> = {
  AUTH: 'none',
  RATE_LIMIT: 'off',
  DIAGNOSTIC_TASKS: 'true',
  POOL_SIZE: '2',
  DRAIN_TIMEOUT_MS: '3000',
};

/**
 * The real apps as separate OS processes over a private redis-server with AOF on (`noeviction`) on a
 * free port, which a scenario may crash and restart on the same port and dir.
 */
export async function startChaosStack(options: ChaosStackOptions): Promise<ChaosStack> {
  const redis = await DurableRedis.start({ appendfsync: options.appendfsync ?? 'always' });
  const prefix = `chaos-${randomUUID().slice(0, 8)}`;
  const logDir = path.join(os.tmpdir(), prefix);
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      redisUrl: redis.url,
      prefix,
      logDir,
      env: { ...CHAOS_ENV, ...options.env },
      services: options.services,
    });
  } catch (error) {
    await redis.dispose();
    throw error;
  }
  const service = (name: string): RunningService => {
    const found = stack.services.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`no service ${name} in this stack`);
    return found;
  };
  return {
    redis,
    stack,
    client: new SwitchyardClient(stack.apiUrl, { requestTimeoutMs: 10_000 }),
    logDir,
    service,
    restart: (name) => stack.restart(service(name)),
    stop: async () => {
      // Consumers drain against Redis on SIGTERM: give them one to drain against.
      if (!redis.running) await redis.resume().catch(() => undefined);
      await stack.stop();
      await redis.dispose();
    },
  };
}
