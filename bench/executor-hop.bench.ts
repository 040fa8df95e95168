import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createExecutor, type Executor } from '@switchyard/execution';
import { Piscina } from 'piscina';
import { benchAttempt, type Measurement } from './bench-support';
import { RawForkPool } from './raw/fork-pool';

const PAYLOAD = { limit: 20_000 };
/** Turns per repetition (see below). */
const ROUNDS = 8;

async function saturate(runs: number, parallel: number, runOne: () => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next++ < runs) await runOne();
    }),
  );
}

async function viaExecutor(executor: Executor, runs: number, parallel: number): Promise<void> {
  let id = 0;
  await saturate(runs, parallel, () => executor.run(benchAttempt(id++, 'cpu.primes', PAYLOAD)));
}

export interface ExecutorHop {
  /** raw `piscina.run`, then the worker-threads executor. */
  threads: [Measurement, Measurement];
  /** a raw `fork` + IPC round trip, then the processes executor. */
  processes: [Measurement, Measurement];
  inline: Measurement;
}

/**
 * Small CPU tasks (`cpu.primes` 20k, ~0.2 ms) through pools of `poolSize`: each executor against the raw
 * library it wraps, `runs` runs per subject and repetition.
 */
export async function executorHop(runs: number, repeat: number, poolSize = 2): Promise<ExecutorHop> {
  const piscina = new Piscina({
    filename: path.join(__dirname, 'raw/piscina-primes.worker.js'),
    minThreads: poolSize,
    maxThreads: poolSize,
  });
  const forks = await RawForkPool.start(poolSize);
  const threads = createExecutor('worker-threads', {
    poolSize,
    catalog: { httpAllowedHosts: [], diagnosticTasks: false },
  });
  const processes = createExecutor('processes', {
    poolSize,
    catalog: { httpAllowedHosts: [], diagnosticTasks: false },
  });
  const inline = createExecutor('inline', {
    poolSize: 1,
    catalog: { httpAllowedHosts: [], diagnosticTasks: false },
  });
  const parallel = poolSize * 2;
  const subjects: { subject: string; body: (count: number) => Promise<void> }[] = [
    {
      subject: `raw piscina.run (cpu.primes 20k, ${poolSize} threads)`,
      body: (count) => saturate(count, parallel, () => piscina.run(PAYLOAD)),
    },
    { subject: 'Switchyard worker-threads executor', body: (count) => viaExecutor(threads, count, parallel) },
    {
      subject: `raw fork + IPC round trip (${poolSize} children)`,
      body: (count) => saturate(count, parallel, () => forks.run(PAYLOAD)),
    },
    { subject: 'Switchyard processes executor', body: (count) => viaExecutor(processes, count, parallel) },
    { subject: 'Switchyard inline executor (1 event loop)', body: (count) => viaExecutor(inline, count, 1) },
  ];
  try {
    // Warm every pool up (threads and children started, code compiled) before anything is timed.
    for (const { body } of subjects) await body(200);
    // Each repetition is cut into rounds in which every subject takes its turn: a slow moment of a shared
    // machine (seconds long) then falls on all subjects, not on whichever was running.
    const rates = subjects.map(() => [] as number[]);
    const perRound = Math.ceil(runs / ROUNDS);
    for (let run = 0; run < repeat; run++) {
      const elapsed = subjects.map(() => 0);
      for (let round = 0; round < ROUNDS; round++) {
        for (const [index, { body }] of subjects.entries()) {
          const start = performance.now();
          await body(perRound);
          elapsed[index] += performance.now() - start;
        }
      }
      for (const [index, ms] of elapsed.entries()) rates[index].push((perRound * ROUNDS * 1000) / ms);
    }
    const measured = subjects.map(({ subject }, index) => ({ subject, runs: rates[index] }));
    return {
      threads: [measured[0], measured[1]],
      processes: [measured[2], measured[3]],
      inline: measured[4],
    };
  } finally {
    await piscina.close();
    await forks.close();
    await Promise.all([threads.close(), processes.close(), inline.close()]);
  }
}
