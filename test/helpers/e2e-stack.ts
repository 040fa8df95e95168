import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { SwitchyardClient } from '@switchyard/client';
import type { JobView } from '@switchyard/contracts';
import { pollUntil } from '@switchyard/polling';
import {
  startLocalStack,
  type LocalStack,
  type RunningService,
  type StackServiceSpec,
} from '@switchyard/local-stack';
import { deletePrefix } from './redis-cleanup';

/** The compute lanes the e2e stack runs, one per execution model. */
export const MODEL_LANES = {
  'worker-threads': 'cpu',
  processes: 'cpu-processes',
  inline: 'cpu-inline',
} as const;
export type ComputeModel = keyof typeof MODEL_LANES;

export interface E2eStack {
  stack: LocalStack;
  client: SwitchyardClient;
  service(name: string): RunningService;
  /** The compute process serving a model's lane. */
  compute(model: ComputeModel): RunningService;
  stop(): Promise<void>;
}

/**
 * The real apps as separate OS processes on a unique prefix: api, io-consumer, and one compute per
 * execution model. Logs go to a temp dir named in failures.
 */
export async function startE2eStack(
  extraServices: StackServiceSpec[] = [],
  env: Record<string, string> = {},
  /** Another Redis than REDIS_URL: a Redis Cluster's seeds with `redisMode: 'cluster'`. */
  redis: { redisUrl?: string; redisMode?: 'standalone' | 'cluster'; prefix?: string } = {},
): Promise<E2eStack> {
  const prefix = redis.prefix ?? `test-${randomUUID()}`;
  const stack = await startLocalStack({
    redisUrl: redis.redisUrl,
    redisMode: redis.redisMode,
    prefix,
    logDir: path.join(os.tmpdir(), prefix),
    env: {
      DIAGNOSTIC_TASKS: 'true',
      HTTP_ALLOWED_HOSTS: '127.0.0.1',
      POOL_SIZE: '2',
      DRAIN_TIMEOUT_MS: '2000',
      ...env,
    },
    services: [
      { name: 'api', app: 'api' },
      { name: 'io-consumer', app: 'io-consumer' },
      ...Object.entries(MODEL_LANES).map(([model, lane]) => ({
        name: `compute-${model}`,
        app: 'compute' as const,
        env: { LANE: lane, EXECUTION_MODEL: model },
      })),
      ...extraServices,
    ],
  });
  const service = (name: string) => {
    const found = stack.services.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`no service ${name}`);
    return found;
  };
  return {
    stack,
    client: new SwitchyardClient(stack.apiUrl),
    service,
    compute: (model) => service(`compute-${model}`),
    stop: async () => {
      await stack.stop();
      // A test cluster is thrown away whole.
      if (redis.redisMode !== 'cluster') await deletePrefix(stack.redisUrl, prefix);
    },
  };
}

/**
 * Polls until a job is active and reports where it runs. An inline job cannot report it while it
 * blocks its event loop: pass `placement: false` for those.
 */
export async function waitUntilRunning(
  client: SwitchyardClient,
  id: string,
  { placement = true, timeoutMs = 20_000 } = {},
): Promise<JobView> {
  let last: JobView | undefined;
  return pollUntil(
    async () => {
      last = await client.get(id);
      return last.state === 'active' && (Boolean(last.execution) || !placement) && last;
    },
    {
      timeoutMs,
      onTimeout: () => new Error(`job ${id} not running after ${timeoutMs} ms: ${JSON.stringify(last)}`),
    },
  );
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `pollUntil` as most tests call it: what is awaited, within 10 s unless told. */
export function eventually<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  return pollUntil(probe, { timeoutMs, what });
}

export interface ConsumerStats {
  activeJobs: number;
  pool: { workers: { pid: number; threadId: number }[]; busy: number };
}

export async function consumerStats(service: RunningService): Promise<ConsumerStats> {
  const response = await fetch(`${service.baseUrl}/stats`);
  return (await response.json()) as ConsumerStats;
}
