import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import type { TaskDefinition } from '@switchyard/contracts';

/** Longest sleep one job may ask for: 5 minutes. */
const MAX_SLEEP_MS = 300_000;

const payloadSchema = z.strictObject({
  /** How long to wait, in milliseconds. */
  ms: z.number().int().min(0).max(MAX_SLEEP_MS),
});

export type IoSleepPayload = z.infer<typeof payloadSchema>;

const resultSchema = z.strictObject({
  sleptMs: z.int().min(0).describe('The requested sleep'),
});

export type IoSleepResult = z.infer<typeof resultSchema>;

/** Simulated I/O latency: awaits a timer, so thousands interleave on one event loop. */
export const ioSleepTask: TaskDefinition<IoSleepPayload, IoSleepResult> = {
  name: 'io.sleep',
  description:
    'Waits for `ms` milliseconds without using the CPU (simulated I/O latency). Honours cancellation.',
  profile: 'io',
  // On a cpu lane it only holds a pool slot while it waits: wasteful, but it blocks no one else's loop.
  profiles: ['io', 'cpu'],
  // Jobs that name no profile follow its measured CPU ratio: io while it waits, cpu if it ever computes.
  autoRoute: true,
  payloadSchema,
  resultSchema,
  example: { ms: 500 },
  defaultTimeoutMs: MAX_SLEEP_MS + 10_000,
  async handler({ ms }, ctx) {
    await delay(ms, undefined, { signal: ctx.signal }).catch((error: unknown) => {
      // timers/promises rejects with a generic AbortError; the signal's reason says why (cancel or timeout).
      throw ctx.signal.aborted ? ctx.signal.reason : error;
    });
    ctx.progress(100);
    return { sleptMs: ms };
  },
};
