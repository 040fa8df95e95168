import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiSecurity } from '@nestjs/swagger';
import type { Scope } from '@switchyard/auth';
import { z } from 'zod';
import { RequireScope } from '../security/require-scope';
import {
  PROBLEM_HEADERS,
  PROBLEM_STATUSES,
  type HeaderContract,
  type ProblemStatus,
} from './problem-responses';
import { BEARER_SCHEME, schemaRef, toOpenApiSchema } from './openapi-schema';

/** One success answer of an operation. */
export interface SuccessContract {
  description: string;
  /** The body's schema: a zod schema (named ones become `$ref`s), or a component name. */
  schema: z.ZodType | string;
  /** @defaultValue application/json */
  contentType?: string;
  headers?: Record<string, HeaderContract>;
}

/** Everything the document says about one operation; see README "Adding an operation". */
export interface OperationContract {
  /** Stable name for generated clients, e.g. `getJob`. */
  operationId: string;
  summary: string;
  description?: string;
  /**
   * The scope the caller's key needs (applied as `RequireScope` too, so the guard and the document cannot
   * disagree), documented with 401, 403 and 429; `public` for the probes, which need no key.
   */
  scope: Scope | 'public';
  /** Each property becomes a query parameter, with its bounds. */
  query?: z.ZodObject;
  /** The JSON body's schema: a zod schema or a component name (`JobRequest`, built from the catalog). */
  body?: z.ZodType | string;
  /** Success answers by status. */
  responses: Partial<Record<200 | 201 | 202 | 204, SuccessContract>>;
  /** Error answers besides 401/403/429, each with its meaning here (or the shared one). */
  problems?: readonly (ProblemStatus | [ProblemStatus, string])[];
}

function problemResponse(status: ProblemStatus, description: string) {
  return ApiResponse({
    status,
    description,
    content: { 'application/problem+json': { schema: schemaRef('Problem') } },
    ...(PROBLEM_HEADERS[status] ? { headers: PROBLEM_HEADERS[status] } : {}),
  });
}

function bodySchema(body: z.ZodType | string) {
  return typeof body === 'string' ? schemaRef(body) : toOpenApiSchema(body, 'input');
}

function queryParameters(query: z.ZodObject): MethodDecorator[] {
  return Object.entries(query.shape).map(([name, schema]) => {
    const jsonSchema = toOpenApiSchema(schema as z.ZodType, 'input');
    const { description, ...rest } = jsonSchema;
    return ApiQuery({
      name,
      required: !(schema as z.ZodType).safeParse(undefined).success,
      schema: rest,
      ...(typeof description === 'string' ? { description } : {}),
    });
  });
}

/**
 * Declares an operation's whole contract in one place: summary, scope (guard and security), query
 * parameters and every response with its schema. The document is built from these and the zod schemas
 * that validate, and the contract test drives every status declared here.
 */
export function ApiContract(contract: OperationContract): MethodDecorator {
  const secured = contract.scope !== 'public';
  const problems: [ProblemStatus, string][] = [
    ...(secured
      ? ([
          [401, PROBLEM_STATUSES[401]],
          [403, `The key lacks the ${contract.scope} scope`],
          [429, PROBLEM_STATUSES[429]],
        ] as [ProblemStatus, string][])
      : []),
    ...(contract.problems ?? []).map((entry): [ProblemStatus, string] =>
      Array.isArray(entry) ? entry : [entry, PROBLEM_STATUSES[entry]],
    ),
  ];
  return applyDecorators(
    ...(secured ? [RequireScope(contract.scope as Scope), ApiSecurity(BEARER_SCHEME, [contract.scope])] : []),
    ApiOperation({
      operationId: contract.operationId,
      summary: contract.summary,
      ...(contract.description ? { description: contract.description } : {}),
      // Probes are public: an empty requirement says so (no key is sent).
      ...(secured ? {} : { security: [] }),
    }),
    ...(contract.query ? queryParameters(contract.query) : []),
    ...(contract.body ? [ApiBody({ required: true, schema: bodySchema(contract.body) })] : []),
    ...Object.entries(contract.responses).map(([status, success]) =>
      ApiResponse({
        status: Number(status),
        description: success.description,
        content: {
          [success.contentType ?? 'application/json']: {
            schema:
              typeof success.schema === 'string'
                ? schemaRef(success.schema)
                : toOpenApiSchema(success.schema, 'output'),
          },
        },
        ...(success.headers ? { headers: success.headers } : {}),
      }),
    ),
    ...problems.map(([status, description]) => problemResponse(status, description)),
  );
}
