import { createJobBatchRequestSchema, createJobRequestSchema } from '@switchyard/contracts';
import { z } from 'zod';

type OpenApiSchema = Record<string, unknown>;

/** The request schemas as OpenAPI 3.0 schemas: one zod schema gives validation, types and docs. */
export const openApiSchemas = {
  createJob: z.toJSONSchema(createJobRequestSchema, { target: 'openapi-3.0', io: 'input' }) as OpenApiSchema,
  createJobBatch: z.toJSONSchema(createJobBatchRequestSchema, {
    target: 'openapi-3.0',
    io: 'input',
  }) as OpenApiSchema,
};
