import path from 'node:path';
import { createExecutor, type Executor } from '@switchyard/execution';
import { Piscina } from 'piscina';
import { measure, type Measurement } from './bench-support';

const PAYLOAD = { limit: 20_000 };

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
  await saturate(runs, parallel, () =>
    executor.run({
      jobId: String(id++),
      task: 'cpu.primes',
      payload: PAYLOAD,
      timeoutMs: 60_000,
      lane: 'cpu',
      profile: 'cpu',
      attempt: 1,
      queueWaitMs: 0,
      tenant: 'bench',
    }),
  );
}

/** Small CPU tasks through a 2-thread pool: raw piscina vs Switchyard's worker-threads executor (abort scope, events). */
export async function executorHop(runs: number, repeat: number, poolSize = 2): Promise<Measurement[]> {
  const piscina = new Piscina({
    filename: path.join(__dirname, 'raw-piscina.worker.js'),
    minThreads: poolSize,
    maxThreads: poolSize,
  });
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
  try {
    const parallel = poolSize * 2;
    // Warm every pool up (threads started, code compiled) before anything is timed.
    await saturate(200, parallel, () => piscina.run(PAYLOAD));
    await Promise.all([
      viaExecutor(threads, 200, parallel),
      viaExecutor(processes, 200, parallel),
      viaExecutor(inline, 50, 1),
    ]);
    return [
      {
        subject: `raw piscina.run (cpu.primes 20k, ${poolSize} threads)`,
        runs: await measure(runs, repeat, () => saturate(runs, parallel, () => piscina.run(PAYLOAD))),
      },
      {
        subject: 'Switchyard worker-threads executor',
        runs: await measure(runs, repeat, () => viaExecutor(threads, runs, parallel)),
      },
      {
        subject: `Switchyard processes executor (${poolSize} children)`,
        runs: await measure(runs, repeat, () => viaExecutor(processes, runs, parallel)),
      },
      {
        subject: 'Switchyard inline executor (1 event loop)',
        runs: await measure(runs, repeat, () => viaExecutor(inline, runs, 1)),
      },
    ];
  } finally {
    await piscina.close();
    await Promise.all([threads.close(), processes.close(), inline.close()]);
  }
}
