import { z } from 'zod';
import { named } from './api-schema-registry';

/** One field-level mistake: where and what, so a client can fix them all at once. */
export const fieldErrorSchema = named(
  'FieldError',
  z.strictObject({
    path: z
      .string()
      .describe('Dotted path into the request (`payload.limit`), or `(body)` for the request as a whole'),
    message: z.string(),
    index: z.int().min(0).optional().describe('The item of a batch the mistake is in'),
  }),
);
export type FieldError = z.infer<typeof fieldErrorSchema>;

/**
 * RFC 9457 problem details, as every 4xx/5xx body (`application/problem+json`). Open to extension members
 * (`state` of a finished job, `jobId` of a reused Idempotency-Key), as the RFC allows.
 */
export const problemDetailsSchema = named(
  'Problem',
  z.looseObject({
    type: z
      .string()
      .describe('A URN naming the kind of problem, e.g. `urn:switchyard:problem:job-not-found`'),
    title: z.string(),
    status: z.int().min(400).max(599),
    detail: z.string().describe('What is wrong and how to fix it'),
    instance: z.string().optional().describe('The request path'),
    errors: z.array(fieldErrorSchema).optional().describe('Every field-level mistake, for 400 and 422'),
  }),
  'RFC 9457 problem details',
);
export type ProblemDetails = z.infer<typeof problemDetailsSchema>;
