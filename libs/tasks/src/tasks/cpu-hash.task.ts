import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { TaskDefinition } from '@switchyard/contracts';
import { checkpoint } from '../support/chunked-work';

/** Most rounds one job may ask for: about 10–15 s of one core (~1 µs a round). */
const MAX_ROUNDS = 10_000_000;
/** Longest input, in characters. */
const MAX_INPUT_LENGTH = 65_536;
const ROUNDS_PER_CHUNK = 20_000;

const payloadSchema = z.strictObject({
  /** Text hashed by the first round (UTF-8). */
  input: z.string().max(MAX_INPUT_LENGTH),
  /** How many times SHA-256 is applied. */
  rounds: z.number().int().min(1).max(MAX_ROUNDS),
});

export type CpuHashPayload = z.infer<typeof payloadSchema>;

const resultSchema = z.strictObject({
  rounds: z.int().min(1),
  digest: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .describe("The last round's digest, 64 lower-case hex digits"),
});

export type CpuHashResult = z.infer<typeof resultSchema>;

/** Round 1 hashes the UTF-8 input; every later round hashes the previous round's 32 raw digest bytes. */
export const cpuHashTask: TaskDefinition<CpuHashPayload, CpuHashResult> = {
  name: 'cpu.hash',
  description:
    'Iterated SHA-256: round 1 hashes `input` (UTF-8), each later round hashes the previous 32-byte digest. Returns the hex digest.',
  profile: 'cpu',
  profiles: ['cpu'],
  payloadSchema,
  resultSchema,
  example: { input: 'switchyard', rounds: 100_000 },
  defaultTimeoutMs: 60_000,
  async handler({ input, rounds }, ctx) {
    let digest = createHash('sha256').update(input, 'utf8').digest();
    for (let round = 2; round <= rounds; round++) {
      digest = createHash('sha256').update(digest).digest();
      if (round % ROUNDS_PER_CHUNK === 0) checkpoint(ctx, round, rounds);
    }
    return { rounds, digest: digest.toString('hex') };
  },
};
