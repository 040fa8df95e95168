import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { TaskCatalog } from '@switchyard/tasks';
import { jobRequestSchemas, type SubmitLimits } from './job-request-schemas';
import { BEARER_SCHEME, namedSchemas } from './openapi-schema';
import { taskResultSchemas, withTaskResults } from './task-result-schemas';

/** Every tag an operation may use, with its description (a new tag needs its row here). */
const TAGS: Record<string, string> = {
  jobs: 'Submit, read, list and cancel jobs',
  catalog: 'The tasks jobs may run and the lanes they run on',
  health: 'Probes and metrics for operators',
};

/** What the document depends on besides the controllers: the task catalog and the submit limits. */
export interface DocumentSources {
  catalog: TaskCatalog;
  limits: SubmitLimits;
}

/**
 * The OpenAPI 3.1 document of the api: operations and responses from the controllers' `ApiContract`
 * declarations, schemas from the zod schemas that validate, per-task job requests and results from the catalog.
 * Served at `/docs-json`; `npm run openapi:write` writes the default configuration's to docs/openapi.json.
 */
export function buildApiDocument(app: INestApplication, { catalog, limits }: DocumentSources): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Switchyard')
    .setDescription(
      'Submit jobs by task and profile; they run on the event loop, worker threads or child processes. ' +
        'Every error is RFC 9457 problem details. Keys are sent as `Authorization: Bearer <key>`; each ' +
        "operation's security requirement names the scope its key needs.",
    )
    .setVersion('1')
    .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
    .addServer('/', 'The api that serves this document');
  for (const [name, description] of Object.entries(TAGS)) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build());
  const results = taskResultSchemas(catalog);
  document.components = {
    schemas: {
      ...withTaskResults(namedSchemas(), results.jobResult),
      ...jobRequestSchemas(catalog, limits),
      ...results.components,
    },
    securitySchemes: {
      [BEARER_SCHEME]: {
        type: 'http',
        scheme: 'bearer',
        description: 'An API key (`switchyard keys create`); the requirement lists the scope it needs',
      },
    },
  };
  return document;
}
