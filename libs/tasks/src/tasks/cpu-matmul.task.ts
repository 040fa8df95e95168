import { z } from 'zod';
import type { TaskDefinition } from '@switchyard/contracts';
import { checkpoint } from '../support/chunked-work';
import { mulberry32 } from '../support/seeded-random';

/** Largest matrix side: n³ multiply-adds, about 10 s of one core at the maximum. */
const MAX_N = 2_000;
const ROWS_PER_CHUNK = 8;

const payloadSchema = z.strictObject({
  /** Side of the square matrices. */
  n: z.number().int().min(1).max(MAX_N),
  /** PRNG seed (32-bit unsigned) the two matrices are drawn from. */
  seed: z.number().int().min(0).max(0xffff_ffff),
});

export type CpuMatmulPayload = z.infer<typeof payloadSchema>;

const resultSchema = z.strictObject({
  n: z.int().min(1),
  sum: z.int().min(0).describe('Sum of every entry of C = A·B'),
  trace: z.int().min(0).describe('Trace of C'),
});

export type CpuMatmulResult = z.infer<typeof resultSchema>;

/**
 * A then B, row-major, entries integers 0–9 drawn from mulberry32(seed). Integer entries keep every
 * sum exact, so the checksums do not depend on summation order and tests can check them independently.
 */
export function seededMatrices(n: number, seed: number): { a: Float64Array; b: Float64Array } {
  const random = mulberry32(seed);
  const a = new Float64Array(n * n);
  const b = new Float64Array(n * n);
  for (let i = 0; i < a.length; i++) a[i] = Math.floor(random() * 10);
  for (let i = 0; i < b.length; i++) b[i] = Math.floor(random() * 10);
  return { a, b };
}

/** Multiplies two seeded n×n matrices (i-k-j loop order, cache friendly) and checksums the product. */
export const cpuMatmulTask: TaskDefinition<CpuMatmulPayload, CpuMatmulResult> = {
  name: 'cpu.matmul',
  description:
    'Multiplies two n×n matrices of integers 0–9 drawn from mulberry32(seed) (A first, then B, row-major); returns the sum and trace of the product.',
  profile: 'cpu',
  profiles: ['cpu'],
  payloadSchema,
  resultSchema,
  example: { n: 300, seed: 42 },
  defaultTimeoutMs: 60_000,
  async handler({ n, seed }, ctx) {
    const { a, b } = seededMatrices(n, seed);
    const row = new Float64Array(n);
    let sum = 0;
    let trace = 0;
    for (let i = 0; i < n; i++) {
      row.fill(0);
      for (let k = 0; k < n; k++) {
        const aik = a[i * n + k];
        const bRow = k * n;
        for (let j = 0; j < n; j++) row[j] += aik * b[bRow + j];
      }
      for (let j = 0; j < n; j++) sum += row[j];
      trace += row[i];
      if ((i + 1) % ROWS_PER_CHUNK === 0 || i === n - 1) checkpoint(ctx, i + 1, n);
    }
    return { n, sum, trace };
  },
};
