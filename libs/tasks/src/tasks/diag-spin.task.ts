import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { TaskDefinition } from '@switchyard/contracts';
import { checkpoint } from '../support/chunked-work';

const MAX_SPIN_MS = 60_000;
/** Spin this long between checkpoints. */
const CHUNK_MS = 20;

const payloadSchema = z.strictObject({
  /** How long to keep one core busy, in milliseconds. */
  ms: z.number().int().min(0).max(MAX_SPIN_MS),
});

export type DiagSpinPayload = z.infer<typeof payloadSchema>;

const resultSchema = z.strictObject({
  spunMs: z.int().min(0),
  iterations: z
    .int()
    .min(0)
    .describe('Loop iterations done: a rough measure of how much CPU the job really got'),
});

export type DiagSpinResult = z.infer<typeof resultSchema>;

/** A calibrated CPU-bound job: busy-waits for `ms` of wall time, never yielding the thread. */
export const diagSpinTask: TaskDefinition<DiagSpinPayload, DiagSpinResult> = {
  name: 'diag.spin',
  description:
    'Diagnostic: keeps one core busy for `ms` milliseconds of wall time (a calibrated CPU-bound job), reporting progress.',
  profile: 'cpu',
  payloadSchema,
  resultSchema,
  example: { ms: 1_000 },
  defaultTimeoutMs: MAX_SPIN_MS + 10_000,
  async handler({ ms }, ctx) {
    const start = performance.now();
    let iterations = 0;
    let chunkEnd = start;
    while (performance.now() - start < ms) {
      chunkEnd = Math.min(chunkEnd + CHUNK_MS, start + ms);
      while (performance.now() < chunkEnd) iterations++;
      checkpoint(ctx, performance.now() - start, ms);
    }
    return { spunMs: ms, iterations };
  },
};
