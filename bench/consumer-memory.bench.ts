import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { LaneDrain } from './support/lane-drain';
import type { QueueSide } from './support/queue-sides';

/** Jobs in flight at once, and how long each sleeps: long enough to read the memory while all wait. */
export const IN_FLIGHT = 1_000;
export const SLEEP_MS = 20_000;

/** Resident memory of a process, in MiB, as the kernel counts it (`VmRSS`). */
export function residentMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
  if (!Number.isFinite(kib)) throw new Error(`no VmRSS for pid ${pid}`);
  return kib / 1024;
}

export interface InFlightMemory {
  /** RSS of the consuming process before the jobs arrived. */
  idleMiB: number;
  /** Highest RSS while all `IN_FLIGHT` jobs were active (sampled for a second). */
  inFlightMiB: number;
}

/**
 * Resident memory of `role`'s process (the io-consumer, or raw BullMQ's worker) with 1,000 `io.sleep`
 * jobs active at once: the side's consumer must take 1,000 at a time and its job must sleep `SLEEP_MS`.
 */
export async function inFlightMemory(side: QueueSide, role: string): Promise<InFlightMemory> {
  const pid = side.processes.find((process) => process.role === role)?.pid;
  if (pid === undefined) throw new Error(`the side has no ${role} process`);
  const idleMiB = residentMiB(pid);
  await side.submit(IN_FLIGHT);
  const drain = new LaneDrain(side.redis.client, side.prefix, side.queue);
  const deadline = Date.now() + 30_000;
  while ((await drain.read()).active < IN_FLIGHT) {
    if (Date.now() > deadline) throw new Error(`${role} did not take ${IN_FLIGHT} jobs at once within 30 s`);
    await delay(50);
  }
  let inFlightMiB = 0;
  for (let sample = 0; sample < 10; sample++) {
    inFlightMiB = Math.max(inFlightMiB, residentMiB(pid));
    await delay(100);
  }
  return { idleMiB, inFlightMiB };
}
