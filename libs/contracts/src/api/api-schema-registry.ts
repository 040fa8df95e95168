import { z } from 'zod';

/**
 * The api's named schemas: each becomes `#/components/schemas/<id>` in the OpenAPI document, and a schema
 * that nests another registered one refers to it by `$ref` (so generated clients get one named type each).
 */
export const apiSchemaRegistry = z.registry<{ id: string; description?: string }>();

/** Registers `schema` under `id` and returns it, so a schema is declared and named in one statement. */
export function named<Schema extends z.ZodType>(id: string, schema: Schema, description?: string): Schema {
  apiSchemaRegistry.add(schema, { id, ...(description ? { description } : {}) });
  return schema;
}
