import { apiSchemaRegistry } from '@switchyard/contracts';
import { z } from 'zod';

/** A JSON Schema (2020-12, as OpenAPI 3.1 uses) inside the document. */
export type JsonSchema = Record<string, unknown>;

/** The security scheme's name in `components.securitySchemes`. */
export const BEARER_SCHEME = 'bearer';

export function schemaRef(id: string): { $ref: string } {
  return { $ref: `#/components/schemas/${id}` };
}

/** Drops what a standalone JSON Schema carries and a schema inside a document must not. */
function embedded(schema: JsonSchema): JsonSchema {
  return Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema' && key !== '$id'));
}

/**
 * A zod schema as the document shows it: a named one (registered in `apiSchemaRegistry`) as a `$ref`,
 * any other inline. `input` is what a client may send (defaults optional), `output` what it receives.
 */
export function toOpenApiSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const id = apiSchemaRegistry.get(schema)?.id;
  if (id) return schemaRef(id);
  // Refinements cannot be written in JSON Schema: they are checked at submit time, and left out here.
  return embedded(
    z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema,
  );
}

/** Every named schema, as `components.schemas`, nested named ones by `$ref`. */
export function namedSchemas(): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(apiSchemaRegistry, {
    target: 'draft-2020-12',
    io: 'output',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, JsonSchema> };
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, embedded(schema)]));
}
