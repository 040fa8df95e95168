import { z } from 'zod';
import { PROFILES } from '../profile';
import { named } from './api-schema-registry';

/** What the catalog tells clients about one task (`GET /v1/tasks`). */
export const taskDescriptionSchema = named(
  'TaskDescription',
  z.strictObject({
    name: z.string(),
    description: z.string(),
    profile: z.enum(PROFILES).describe('The profile a job gets unless the client overrides it'),
    profiles: z.array(z.enum(PROFILES)).describe('Every profile a job of this task may run under'),
    autoRoute: z
      .boolean()
      .describe(
        'A job that names no profile is routed by the measured CPU/wall ratio, as with profile "auto"',
      ),
    defaultTimeoutMs: z.int().min(1),
    payloadSchema: z
      .record(z.string(), z.unknown())
      .describe('The payload JSON Schema (draft 2020-12), as accepted at submit time'),
    resultSchema: z
      .record(z.string(), z.unknown())
      .describe("The JSON Schema (draft 2020-12) of a completed job's result, as the job view shows it"),
    example: z.unknown().describe('A valid payload'),
  }),
);

export const taskListSchema = named('TaskList', z.strictObject({ tasks: z.array(taskDescriptionSchema) }));

/** `GET /healthz`: the process answers. */
export const livenessSchema = named('Liveness', z.strictObject({ status: z.literal('ok') }));

/** `GET /readyz`: Redis answers and every lane's queue is ready. */
export const readinessSchema = named('Readiness', z.strictObject({ status: z.literal('ready') }));
