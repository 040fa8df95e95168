import { jobViewQuerySchema } from '@switchyard/contracts';
import { InvalidJobQueryError } from '@switchyard/queue';

/**
 * `waitMs` of `GET /v1/jobs/:id`: how long the read may wait for the job's end, 0 without it.
 * @throws InvalidJobQueryError (400) saying the range.
 */
export function waitMsOf(query: Record<string, string | string[] | undefined>): number {
  const parsed = jobViewQuerySchema.safeParse(query);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((issue) => ({
      path: issue.path.join('.'),
      message: issue.message,
    }));
    throw new InvalidJobQueryError(`waitMs ${errors[0]?.message ?? 'is invalid'}`, errors);
  }
  return parsed.data.waitMs ?? 0;
}
