import { z } from 'zod';
import type { TaskDefinition } from '@switchyard/contracts';
import { checkpoint } from '../support/chunked-work';

/** Largest limit: about 5–10 s of one core with the segmented sieve below. */
const MAX_LIMIT = 2_000_000_000;
/** Numbers sieved per chunk; fits in L2 cache and gives frequent progress. */
const SEGMENT_SIZE = 1 << 18;

const payloadSchema = z.strictObject({
  /** Count the primes p with 2 ≤ p ≤ limit. */
  limit: z.number().int().min(0).max(MAX_LIMIT),
});

export type CpuPrimesPayload = z.infer<typeof payloadSchema>;

const resultSchema = z.strictObject({
  limit: z.int().min(0),
  count: z.int().min(0).describe('π(limit): how many primes are ≤ limit'),
});

export type CpuPrimesResult = z.infer<typeof resultSchema>;

/** Primes up to √limit by a plain sieve: the base primes for the segments. */
function basePrimes(upTo: number): number[] {
  const composite = new Uint8Array(upTo + 1);
  const primes: number[] = [];
  for (let n = 2; n <= upTo; n++) {
    if (composite[n]) continue;
    primes.push(n);
    for (let multiple = n * n; multiple <= upTo; multiple += n) composite[multiple] = 1;
  }
  return primes;
}

/** Counts primes with a segmented sieve of Eratosthenes: memory O(√limit), chunked for progress and abort. */
export const cpuPrimesTask: TaskDefinition<CpuPrimesPayload, CpuPrimesResult> = {
  name: 'cpu.primes',
  description: 'Counts the primes ≤ `limit` with a segmented sieve of Eratosthenes (1,000,000 → 78498).',
  profile: 'cpu',
  profiles: ['cpu'],
  payloadSchema,
  resultSchema,
  example: { limit: 1_000_000 },
  defaultTimeoutMs: 60_000,
  async handler({ limit }, ctx) {
    const primes = basePrimes(Math.floor(Math.sqrt(limit)));
    const segment = new Uint8Array(SEGMENT_SIZE);
    let count = 0;
    for (let low = 2; low <= limit; low += SEGMENT_SIZE) {
      const high = Math.min(low + SEGMENT_SIZE - 1, limit);
      segment.fill(0);
      for (const prime of primes) {
        if (prime * prime > high) break;
        let start = Math.max(prime * prime, Math.ceil(low / prime) * prime);
        for (; start <= high; start += prime) segment[start - low] = 1;
      }
      for (let i = 0; i <= high - low; i++) if (segment[i] === 0) count++;
      checkpoint(ctx, high, limit);
    }
    return { limit, count };
  },
};
