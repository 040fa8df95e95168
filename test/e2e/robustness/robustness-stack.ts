import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SwitchyardClient } from '@switchyard/client';
import { startLocalStack, type RunningService, type StackServiceSpec } from '@switchyard/local-stack';
import { isAlive } from '../../helpers/e2e-stack';
import { deletePrefix } from '../../helpers/redis-cleanup';

export interface RobustnessStack {
  client: SwitchyardClient;
  redisUrl: string;
  /** A service's first replica, or the replica given. */
  service(name: string, replica?: number): RunningService;
  stop(): Promise<void>;
}

/** The shared Redis, unless a test brings its own (a private one it may stop). */
const SHARED_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The real apps as OS processes on a unique prefix, with no API keys (these tests are about what
 * breaks underneath), diagnostic tasks, and CPU tasks allowed on the io lane. Logs go to a temp dir.
 */
export async function startRobustnessStack(options: {
  services: StackServiceSpec[];
  env?: Record<string, string>;
  redisUrl?: string;
}): Promise<RobustnessStack> {
  const prefix = `test-${randomUUID()}`;
  const redisUrl = options.redisUrl ?? SHARED_REDIS_URL;
  const stack = await startLocalStack({
    redisUrl,
    prefix,
    logDir: path.join(os.tmpdir(), prefix),
    env: {
      AUTH: 'none',
      ALLOW_PROFILE_OVERRIDE: 'true',
      DIAGNOSTIC_TASKS: 'true',
      POOL_SIZE: '2',
      DRAIN_TIMEOUT_MS: '3000',
      ...options.env,
    },
    services: options.services,
  });
  return {
    client: new SwitchyardClient(stack.apiUrl),
    redisUrl,
    service: (name, replica = 1) => {
      const found = stack.services.find(
        (candidate) => candidate.name === name && candidate.replica === replica,
      );
      if (!found) throw new Error(`no service ${name}#${replica}`);
      return found;
    },
    stop: async () => {
      await stack.stop();
      if (!options.redisUrl) await deletePrefix(redisUrl, prefix);
    },
  };
}

/** One GET with how long it took to answer (a 10 s client timeout: the figure is the point). */
export async function timedGet(url: string): Promise<{ status: number | 'no answer'; ms: number }> {
  const started = performance.now();
  const status = await fetch(url, { signal: AbortSignal.timeout(10_000) }).then(
    async (response) => {
      await response.arrayBuffer();
      return response.status;
    },
    () => 'no answer' as const,
  );
  return { status, ms: Math.round(performance.now() - started) };
}

/**
 * Whether a process still runs. A zombie counts as gone: it has exited, and who reaps an orphan, and
 * when, is up to the machine's init (kill(pid, 0) would still succeed on it).
 */
export function isRunning(pid: number): boolean {
  if (process.platform !== 'linux') return isAlive(pid);
  try {
    // Field 3 of /proc/<pid>/stat is the state, after the name in parentheses (which may hold spaces).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Resolves with how long the process took to exit after `since` (performance.now() ms). */
export function exitTime(service: RunningService, since: number): Promise<number> {
  const child = service.process.child;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(0);
  return new Promise((resolve) => child.once('exit', () => resolve(Math.round(performance.now() - since))));
}
