import { performance } from 'node:perf_hooks';
import { createApiKey } from '@switchyard/auth';
import { SwitchyardClient } from '@switchyard/client';
import { startLocalStack } from '@switchyard/local-stack';
import { percentiles } from '@switchyard/stats';
import { BenchRedis } from './support/bench-redis';

const TASKS = [
  { task: 'io.sleep', payload: { ms: 1 } },
  { task: 'cpu.primes', payload: { limit: 100 } },
  { task: 'cpu.hash', payload: { input: 'x', rounds: 1 } },
  { task: 'cpu.matmul', payload: { n: 2, seed: 1 } },
];

export interface ListLatency {
  retained: number;
  reads: number;
  /** GET /v1/jobs?task=… by a tenant, and by an admin (all tenants), in ms. */
  tenant: { p50: number; p99: number };
  admin: { p50: number; p99: number };
}

/**
 * `GET /v1/jobs?task=…` with `retained` jobs in Redis (two tenants, four tasks, no consumer running, so all
 * stay), over the real api and HTTP: the index answers, not a scan of the lanes. The bench's own Redis
 * holds them (and goes with them), so nobody else's load is measured and a shared one never holds them.
 */
export async function jobListLatency(retained: number, reads: number): Promise<ListLatency> {
  const tenants = [
    createApiKey('bench-a', ['jobs:write', 'jobs:read']),
    createApiKey('bench-b', ['jobs:write']),
  ];
  const admin = createApiKey('bench-ops', ['admin']);
  const redis = await BenchRedis.start();
  const stack = await startLocalStack({
    redisUrl: redis.url,
    services: [{ name: 'api', app: 'api' }],
    env: {
      AUTH: 'keys',
      API_KEYS: [...tenants, admin].map(({ entry }) => entry).join(','),
      LANE_MAX_DEPTH: String(retained * 2),
      TENANT_MAX_PENDING_JOBS: String(retained * 2),
      LOG_LEVEL: 'warn',
    },
  }).catch(async (error: unknown) => {
    await redis.stop();
    throw error;
  });
  try {
    const writers = tenants.map(({ key }) => new SwitchyardClient(stack.apiUrl, { apiKey: key }));
    for (let start = 0; start < retained; start += 1_000) {
      const jobs = Array.from(
        { length: Math.min(1_000, retained - start) },
        (_, index) => TASKS[(start + index) % 4],
      );
      await writers[(start / 1_000) % 2].submitBatch(jobs);
    }
    const timeReads = async (key: string) => {
      const reader = new SwitchyardClient(stack.apiUrl, { apiKey: key });
      const times: number[] = [];
      for (let read = 0; read < reads; read++) {
        const started = performance.now();
        const { data, response } = await reader.api.GET('/v1/jobs', {
          params: { query: { task: TASKS[read % 4].task, limit: 50 } },
        });
        times.push(performance.now() - started);
        if (response.status !== 200 || data?.jobs.length !== 50)
          throw new Error(`list answered ${response.status}`);
      }
      const { p50, p99 } = percentiles(times);
      return { p50, p99 };
    };
    return { retained, reads, tenant: await timeReads(tenants[0].key), admin: await timeReads(admin.key) };
  } finally {
    await stack.stop();
    await redis.forget(stack.prefix);
    await redis.stop();
  }
}
