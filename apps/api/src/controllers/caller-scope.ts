import { isAdmin, type Principal } from '@switchyard/auth';
import type { JobScope } from '@switchyard/queue';
import { z } from 'zod';

/** An admin sees every tenant's jobs; everyone else only their own (as in JobsController). */
export function jobScopeOf(caller: Principal): JobScope {
  return isAdmin(caller) ? {} : { tenant: caller.tenant };
}

/** A zod schema as the OpenAPI 3.0 schema `@ApiResponse` takes. */
export function openApiSchemaOf(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'openapi-3.0' }) as Record<string, unknown>;
}
