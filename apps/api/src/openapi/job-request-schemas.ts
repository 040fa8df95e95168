import type { SwitchyardConfig } from '@switchyard/config';
import { createJobBatchRequestSchema, createJobRequestSchema } from '@switchyard/contracts';
import type { TaskCatalog } from '@switchyard/tasks';
import { z } from 'zod';
import { schemaRef, toOpenApiSchema, type JsonSchema } from './openapi-schema';

/** The limits a job request is checked against at submit time, besides its own schema. */
export type SubmitLimits = Pick<SwitchyardConfig, 'JOB_TIMEOUT_MAX_MS' | 'JOB_DELAY_MAX_MS'>;

/** One task's job request: its name as the discriminator, its payload schema, the configured caps. */
function taskJobRequest(catalog: TaskCatalog, name: string, limits: SubmitLimits): z.ZodType {
  const task = catalog.get(name);
  // A payload may be left out (it defaults to {}) only when {} is a valid payload of this task.
  const payload = task.payloadSchema.safeParse({}).success
    ? task.payloadSchema.optional()
    : task.payloadSchema;
  return createJobRequestSchema.extend({
    task: z.literal(name).describe(task.description),
    payload: payload.describe(`The ${name} payload`),
    timeoutMs: z
      .int()
      .min(1)
      .max(limits.JOB_TIMEOUT_MAX_MS)
      .optional()
      .describe(
        `Per attempt; defaults to ${Math.min(task.defaultTimeoutMs, limits.JOB_TIMEOUT_MAX_MS)} (at most JOB_TIMEOUT_MAX_MS)`,
      ),
    delayMs: z
      .int()
      .min(0)
      .max(limits.JOB_DELAY_MAX_MS)
      .optional()
      .describe('Wait this long before the job may run (at most JOB_DELAY_MAX_MS)'),
  });
}

/**
 * `JobRequest` (a `oneOf` of one `JobRequest.<task>` per catalog task, discriminated by `task`) and
 * `JobBatchRequest`: what `POST /v1/jobs` and `/batch` accept, from the catalog and config the api runs.
 */
export function jobRequestSchemas(catalog: TaskCatalog, limits: SubmitLimits): Record<string, JsonSchema> {
  const variants = Object.fromEntries(
    catalog
      .names()
      .map((name) => [`JobRequest.${name}`, toOpenApiSchema(taskJobRequest(catalog, name, limits), 'input')]),
  );
  const batch = toOpenApiSchema(createJobBatchRequestSchema, 'input') as JsonSchema & {
    properties: { jobs: JsonSchema };
  };
  return {
    ...variants,
    JobRequest: {
      description: 'A job to run: a task from the catalog and its payload, with options',
      oneOf: Object.keys(variants).map(schemaRef),
      discriminator: {
        propertyName: 'task',
        mapping: Object.fromEntries(
          catalog.names().map((name) => [name, schemaRef(`JobRequest.${name}`).$ref]),
        ),
      },
    },
    JobBatchRequest: {
      ...batch,
      properties: { ...batch.properties, jobs: { ...batch.properties.jobs, items: schemaRef('JobRequest') } },
    },
  };
}
