import { z } from 'zod';
import type { TaskDefinition } from '@switchyard/contracts';
import { checkpoint } from '../support/chunked-work';

const MAX_SIDE = 4_096;
const MAX_ITERATIONS = 10_000;
/**
 * Upper bound on width × height × maxIterations: the inner loop's worst case (every point inside
 * the set), about 10–15 s of one core.
 */
const MAX_WORK = 5_000_000_000;

/** The rendered window of the complex plane: real [-2, 1], imaginary [-1.5, 1.5]. */
const REAL_MIN = -2;
const IMAG_MIN = -1.5;
const SPAN = 3;

const payloadSchema = z
  .strictObject({
    /** Pixels across. */
    width: z.number().int().min(1).max(MAX_SIDE),
    /** Pixels down. */
    height: z.number().int().min(1).max(MAX_SIDE),
    /** Iteration cap per pixel; a pixel reaching it counts as inside the set. */
    maxIterations: z.number().int().min(1).max(MAX_ITERATIONS),
  })
  .refine((payload) => payload.width * payload.height * payload.maxIterations <= MAX_WORK, {
    message: `width × height × maxIterations must be at most ${MAX_WORK.toLocaleString('en-US')}: lower one of them`,
    path: ['maxIterations'],
  });

export type CpuMandelbrotPayload = z.infer<typeof payloadSchema>;

const resultSchema = z.strictObject({
  checksum: z.int().min(0).describe("Sum of every pixel's iteration count"),
  inside: z.int().min(0).describe('Pixels that reached maxIterations'),
});

export type CpuMandelbrotResult = z.infer<typeof resultSchema>;

/** Escape-time iterations of c = x0 + i·y0, capped at maxIterations. */
export function mandelbrotIterations(x0: number, y0: number, maxIterations: number): number {
  let x = 0;
  let y = 0;
  let iteration = 0;
  while (iteration < maxIterations && x * x + y * y <= 4) {
    const nextX = x * x - y * y + x0;
    y = 2 * x * y + y0;
    x = nextX;
    iteration++;
  }
  return iteration;
}

/** Renders the Mandelbrot set row by row (pixel centres), summing iteration counts. */
export const cpuMandelbrotTask: TaskDefinition<CpuMandelbrotPayload, CpuMandelbrotResult> = {
  name: 'cpu.mandelbrot',
  description:
    'Renders the Mandelbrot set over real [-2, 1] × imaginary [-1.5, 1.5] at pixel centres; returns the sum of iteration counts and how many pixels stayed inside.',
  profile: 'cpu',
  profiles: ['cpu'],
  payloadSchema,
  resultSchema,
  example: { width: 800, height: 600, maxIterations: 500 },
  defaultTimeoutMs: 60_000,
  async handler({ width, height, maxIterations }, ctx) {
    let checksum = 0;
    let inside = 0;
    for (let row = 0; row < height; row++) {
      const y0 = IMAG_MIN + ((row + 0.5) * SPAN) / height;
      for (let column = 0; column < width; column++) {
        const iterations = mandelbrotIterations(
          REAL_MIN + ((column + 0.5) * SPAN) / width,
          y0,
          maxIterations,
        );
        checksum += iterations;
        if (iterations === maxIterations) inside++;
      }
      checkpoint(ctx, row + 1, height);
    }
    return { checksum, inside };
  },
};
