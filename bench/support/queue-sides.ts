import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { SwitchyardClient, type JobRequest } from '@switchyard/client';
import { startLocalStack, type LocalStack, type StackServiceSpec } from '@switchyard/local-stack';
import { laneQueuePrefix } from '@switchyard/queue';
import { LaneDrain } from './lane-drain';
import { cpuMillis } from './process-cpu';
import { counterDelta, BenchRedis, type RedisDelta } from './bench-redis';

/** Jobs per request or `addBulk`, on both sides. */
export const BATCH = 500;
/** Completed jobs both sides keep (COMPLETED_RETENTION_COUNT / removeOnComplete). */
export const KEEP_COMPLETED = 10_000;

/** Processes that submit to and consume from one queue on a Redis of their own. */
export interface QueueSide {
  subject: string;
  redis: BenchRedis;
  prefix: string;
  queue: string;
  /** The OS processes doing the work, by role (`api`, `io-consumer`, `producer`, `worker`…). */
  processes: { role: string; pid: number }[];
  /** Switchyard's api, when the side has one. */
  apiUrl?: string;
  /** Enqueues `jobs` jobs; resolves once all are in Redis. */
  submit(jobs: number): Promise<void>;
  stop(): Promise<void>;
}

export interface QueueRun {
  jobs: number;
  jobsPerSecond: number;
  redis: RedisDelta;
  /**
   * CPU µs per job by process role, as the kernel counted it: `redis-server`, each side's processes, and
   * `bench` (this process: the HTTP client submitting to Switchyard's api, and the drain polls).
   */
  cpuMicrosPerJob: Map<string, number>;
}

/** First job submitted → lane drained, with the Redis commands and the CPU the run cost. */
export async function runJobs(side: QueueSide, jobs: number, timeoutMs = 120_000): Promise<QueueRun> {
  const drain = new LaneDrain(side.redis.client, side.prefix, side.queue);
  const before = await side.redis.counters();
  const cpuBefore = side.processes.map((process) => cpuOf(side, process));
  const benchBefore = process.cpuUsage();
  const start = performance.now();
  await side.submit(jobs);
  await drain.until(timeoutMs);
  const seconds = (performance.now() - start) / 1000;
  const bench = process.cpuUsage(benchBefore);
  const cpuAfter = side.processes.map((process) => cpuOf(side, process));
  const after = await side.redis.counters();
  const redis = counterDelta(before, after, drain.sent);
  const cpuMicrosPerJob = new Map<string, number>(
    side.processes.map(({ role }, index) => [role, ((cpuAfter[index] - cpuBefore[index]) * 1000) / jobs]),
  );
  cpuMicrosPerJob.set('redis-server', (redis.cpuSeconds * 1e6) / jobs);
  cpuMicrosPerJob.set('bench', (bench.user + bench.system) / jobs);
  return { jobs, jobsPerSecond: jobs / seconds, redis, cpuMicrosPerJob };
}

/** A side's process's CPU so far; one that is gone fails the run, named (its logs: BENCH_LOG_DIR). */
function cpuOf(side: QueueSide, { role, pid }: { role: string; pid: number }): number {
  try {
    return cpuMillis(pid);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new Error(
      `${side.subject}: its ${role} (pid ${pid}) exited during the run; run again with BENCH_LOG_DIR=<dir> to keep its logs`,
      { cause: error },
    );
  }
}

export interface SwitchyardSideOptions {
  subject: string;
  /** The consumers to run beside the api (io-consumer, compute, with their env); `job` goes to the first. */
  consumers: StackServiceSpec[];
  job: JobRequest;
  /** More environment for every process (tracing, NODE_OPTIONS for profiles…). */
  env?: Record<string, string>;
  /** Where the processes' logs go. @defaultValue discarded */
  logDir?: string;
}

/** A Switchyard stack, fed its first consumer's job; `withJob` feeds another of its consumers. */
export interface SwitchyardSide extends QueueSide {
  /** The same running stack, submitting `job` to the lane of the consumer `app` (its api and that consumer). */
  withJob(job: JobRequest, app: StackServiceSpec['app']): QueueSide;
}

function laneOf(spec: StackServiceSpec): string {
  return spec.env?.LANE ?? (spec.app === 'compute' ? 'cpu' : 'io');
}

/**
 * The real apps, as a user runs them: the api and its consumers as separate processes (libs/local-stack)
 * on a Redis of its own (BenchRedis), jobs submitted with `POST /v1/jobs/batch`. The api's limits are set out of the way
 * (the bench measures speed, not admission control); telemetry is the default (metrics on, no traces)
 * unless `env` says otherwise.
 */
export async function startSwitchyardSide(options: SwitchyardSideOptions): Promise<SwitchyardSide> {
  const redis = await BenchRedis.start();
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      redisUrl: redis.url,
      prefix: `bench-${randomUUID().slice(0, 8)}`,
      logDir: options.logDir ?? process.env.BENCH_LOG_DIR,
      services: [{ name: 'api', app: 'api' }, ...options.consumers],
      env: {
        AUTH: 'none',
        RATE_LIMIT: 'off',
        LANE_MAX_DEPTH: '10000000',
        TENANT_MAX_PENDING_JOBS: '10000000',
        COMPLETED_RETENTION_COUNT: String(KEEP_COMPLETED),
        DIAGNOSTIC_TASKS: 'true',
        OTEL_EXPORTER_OTLP_ENDPOINT: '',
        ...options.env,
      },
    });
  } catch (error) {
    await redis.stop();
    throw error;
  }
  const client = new SwitchyardClient(stack.apiUrl);
  const fed = (subject: string, job: JobRequest, consumer: StackServiceSpec): QueueSide => ({
    subject,
    redis,
    // BullMQ's prefix of the lane's queue (Switchyard tags each lane's keys for Redis Cluster).
    prefix: laneQueuePrefix(stack.prefix, laneOf(consumer)),
    queue: laneOf(consumer),
    processes: stack.services
      .filter((service) => service.app === 'api' || service.name === consumer.name)
      .map((service) => ({ role: service.app, pid: service.pid })),
    apiUrl: stack.apiUrl,
    async submit(jobs) {
      for (let start = 0; start < jobs; start += BATCH) {
        await client.submitBatch(Array.from({ length: Math.min(BATCH, jobs - start) }, () => job));
      }
    },
    async stop() {
      await stack.stop();
      await redis.forget(stack.prefix);
      await redis.stop();
    },
  });
  return {
    ...fed(options.subject, options.job, options.consumers[0]),
    withJob(job, app) {
      const consumer = options.consumers.find((spec) => spec.app === app);
      if (!consumer) throw new Error(`the stack runs no ${app}`);
      return fed(options.subject, job, consumer);
    },
  };
}

/** A forked baseline script from bench/raw, ready once it says so. */
async function forkRaw(script: string, args: string[], env?: Record<string, string>): Promise<ChildProcess> {
  const child = fork(path.join(__dirname, '../raw', script), args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
  const [message] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`bench/raw/${script} exited with code ${String(code)} before it was ready`);
    }),
  ])) as unknown[];
  if (message !== 'ready') throw new Error(`bench/raw/${script} said ${JSON.stringify(message)}`);
  return child;
}

async function endRaw(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.disconnect();
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

export interface RawSideOptions {
  concurrency: number;
  /** The job's sleep; 0 is a no-op. @defaultValue 0 */
  ms?: number;
  env?: Record<string, string>;
}

/** Raw BullMQ: a producer process (`Queue.addBulk`) and a `Worker` process on a Redis of its own. */
export async function startRawBullmqSide(options: RawSideOptions): Promise<QueueSide> {
  const redis = await BenchRedis.start();
  const prefix = `bench-raw-${randomUUID().slice(0, 8)}`;
  const queue = 'io';
  const children: ChildProcess[] = [];
  try {
    children.push(
      await forkRaw('bullmq-producer.js', [redis.url, prefix, queue], options.env),
      await forkRaw('bullmq-worker.js', [redis.url, prefix, queue, String(options.concurrency)], options.env),
    );
  } catch (error) {
    await Promise.all(children.map(endRaw));
    await redis.stop();
    throw error;
  }
  const [producer, worker] = children;
  return {
    subject: `raw BullMQ addBulk process + Worker process (concurrency ${options.concurrency})`,
    redis,
    prefix,
    queue,
    processes: [
      { role: 'producer', pid: producer.pid ?? -1 },
      { role: 'worker', pid: worker.pid ?? -1 },
    ],
    async submit(jobs) {
      const submitted = once(producer, 'message');
      producer.send({ jobs, batch: BATCH, ms: options.ms ?? 0, keepCompleted: KEEP_COMPLETED });
      await submitted;
    },
    async stop() {
      await Promise.all(children.map(endRaw));
      await redis.forget(prefix);
      await redis.stop();
    },
  };
}

/**
 * Runs `jobs` jobs on each side in turn, `repeat` times, after a warm-up of `warmup` jobs each: the sides
 * alternate so that a slow moment of a shared machine falls on all of them. Returns each side's runs.
 */
export async function alternate(
  sides: readonly QueueSide[],
  jobs: number,
  repeat: number,
  warmup: number,
): Promise<QueueRun[][]> {
  for (const side of sides) if (warmup > 0) await runJobs(side, warmup);
  const runs = sides.map(() => [] as QueueRun[]);
  for (let run = 0; run < repeat; run++) {
    for (const [index, side] of sides.entries()) runs[index].push(await runJobs(side, jobs));
  }
  return runs;
}

/** Starts sides at once (their start-ups overlap), stopping those that started when one fails. */
export async function startSides(starts: readonly (() => Promise<QueueSide>)[]): Promise<QueueSide[]> {
  const settled = await Promise.allSettled(starts.map((start) => start()));
  const started = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((side) => side.stop()));
    throw failed.reason;
  }
  return started;
}
